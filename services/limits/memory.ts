import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { RateLimits } from './index';
import { createRateLimits } from './rateLimits';
import type { RateRule, RateRuleSet } from './rateRules';

/** One rule's counts in this process's memory (SQLite counts messages this way too). */
export const memoryLimiter = (keyPrefix: string, rule: RateRule) =>
  new RateLimiterMemory({ keyPrefix, points: rule.points, duration: rule.windowSeconds });

/** In memory: for one process in tests. */
export function createMemoryRateLimits(rules: RateRuleSet, secret: Buffer): RateLimits {
  return createRateLimits({
    rules,
    secret,
    make: memoryLimiter,
  });
}
