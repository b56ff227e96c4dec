export { asyncLimiter, createSqliteAttemptLimiter, migrateAttemptLimits } from './attemptLimiter';
export type { AttemptLimiter, AttemptLimiterOptions, FailResult, SqliteAttemptLimiter } from './attemptLimiter';
export {
  createMemoryRateLimits,
  createRedisRateLimits,
  createSqliteRateLimits,
  rateRulesFrom,
} from './rateLimits';
export type { RateDecision, RateKeys, RateLimits, RateRuleSet } from './rateLimits';
export { parseRateRules, RATE_LIMIT_DEFAULTS, RateRulesError, SCOPES_OF } from './rateRules';
export type { RateAction, RateRule, RateScope } from './rateRules';
export { createTurnClients, type TurnClient, type TurnClients } from './turnClient';
