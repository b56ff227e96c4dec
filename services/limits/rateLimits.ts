import { createHmac } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { secretKey } from '../platform/secretKey';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimits } from './index';
import type { RateAction, RateRule, RateRuleSet, RateScope } from './rateRules';

/** What the counting needs of a limiter: rate-limiter-flexible's consume (it rejects with a RateLimiterRes when refused). */
export type RateLimiter = Pick<RateLimiterAbstract, 'consume'>;

/** Makes the store-backed limiter for one (action, scope) rule. */
export type LimiterFactory = (keyPrefix: string, rule: RateRule, action: RateAction) => RateLimiter;

export interface RateLimitsOptions {
  rules: RateRuleSet;
  /** Keys the hashes under which ids, addresses and cards are counted: none is stored as it is. */
  secret: Buffer;
  make: LimiterFactory;
  /** Wraps each store call (Redis: outages become StoreUnavailableError). */
  call?: <T>(what: string, run: () => Promise<T>) => Promise<T>;
  /** Deletes a limiter's expired counts (stores that do not expire them by themselves). */
  sweep?: (keyPrefix: string) => void;
}

/** Hashes of conversations, customers and addresses kept (the least recently used go first). */
const RECENT_HASHES = 4096;

/** Consumes between two sweeps of expired counts. */
const SWEEP_EVERY = 500;

/**
 * The counting every adapter shares (hashing the keys, the rules in order, the first refusal told); the
 * adapter gives the store-backed limiter of each rule.
 */
export function createRateLimits({ rules, secret, make, call = (_w, run) => run(), sweep }: RateLimitsOptions): RateLimits {
  let consumes = 0;
  const limiters = new Map<string, { rule: RateRule; limiter: RateLimiter }>();
  const limiterPrefixes: string[] = [];
  for (const [action, list] of Object.entries(rules) as [RateAction, RateRule[]][]) {
    for (const rule of list) {
      const prefix = `rl_${action}_${rule.scope}`;
      limiterPrefixes.push(prefix);
      limiters.set(`${action}:${rule.scope}`, { rule, limiter: make(prefix, rule, action) });
    }
  }
  const digest = (scope: RateScope, value: string) =>
    createHmac('sha256', secretKey(secret)).update(`rate|${scope}|${value}`).digest('base64url').slice(0, 32);
  // Every message counts its conversation, customer and address: the recent ones' hashes are kept, so a
  // turn does not compute three HMACs. Card numbers are never kept in memory: theirs is computed each time.
  const recent = new LRUCache<string, string>({ max: RECENT_HASHES });
  const hash = (scope: RateScope, value: string): string => {
    if (scope === 'card') return digest(scope, value);
    const id = `${scope}|${value}`;
    let hashed = recent.get(id);
    if (hashed === undefined) {
      hashed = digest(scope, value);
      recent.set(id, hashed);
    }
    return hashed;
  };

  return {
    async consume(action, keys) {
      if (sweep && ++consumes % SWEEP_EVERY === 0) for (const prefix of limiterPrefixes) sweep(prefix);
      for (const rule of rules[action]) {
        const value = keys[rule.scope];
        if (value === undefined || value === '') continue;
        const { limiter } = limiters.get(`${action}:${rule.scope}`)!;
        const res = await call(`rate limit ${action}`, async () => {
          try {
            await limiter.consume(hash(rule.scope, value));
            return undefined;
          } catch (refused) {
            if (refused instanceof RateLimiterRes) return refused;
            throw refused;
          }
        });
        if (res) {
          return {
            allowed: false,
            scope: rule.scope,
            retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
            first: res.consumedPoints === rule.points + 1,
          };
        }
      }
      return { allowed: true };
    },
  };
}
