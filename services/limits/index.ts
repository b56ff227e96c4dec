export { createAttemptLimiter, migrateAttemptLimits } from './attemptLimiter';
export type { AttemptLimiter, AttemptLimiterOptions, FailResult } from './attemptLimiter';
