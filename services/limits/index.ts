export { asyncLimiter, createSqliteAttemptLimiter, migrateAttemptLimits } from './attemptLimiter';
export type { AttemptLimiter, AttemptLimiterOptions, FailResult, SqliteAttemptLimiter } from './attemptLimiter';
