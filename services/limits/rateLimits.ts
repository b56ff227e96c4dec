import { createHmac } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { secretKey } from '../platform/secretKey';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimits } from './index';
import type { RateAction, RateRule, RateRuleSet, RateScope } from './rateRules';

/** What the counting needs of a limiter: rate-limiter-flexible's consume (it rejects with a RateLimiterRes when refused). */
export type RateLimiter = Pick<RateLimiterAbstract, 'consume'>;

/** A key's count in its fixed window: points so far, and when the window ends (ms since the epoch; null: never). */
export interface WindowCount {
  points: number;
  expiresAt: number | null;
}

/** A window's count as rate-limiter-flexible tells it. */
export function windowRes(limit: number, count: WindowCount, now: number, first: boolean): RateLimiterRes {
  const msBeforeNext = count.expiresAt === null ? -1 : Math.max(count.expiresAt - now, 0);
  return new RateLimiterRes(Math.max(limit - count.points, 0), msBeforeNext, count.points, first);
}

/** A count's answer as the library's limiters give it: resolved within `limit`, rejected with the RateLimiterRes over it. */
export function windowDecision(limit: number, count: WindowCount, now: number, first: boolean): Promise<RateLimiterRes> {
  const res = windowRes(limit, count, now, first);
  return count.points > limit ? Promise.reject(res) : Promise.resolve(res);
}

/** Makes the store-backed limiter for one (action, scope) rule. */
export type LimiterFactory = (keyPrefix: string, rule: RateRule, action: RateAction) => RateLimiter;

export interface RateLimitsOptions {
  rules: RateRuleSet;
  /** Keys the hashes under which ids, addresses and cards are counted: none is stored as it is. */
  secret: Buffer;
  make: LimiterFactory;
  /** Wraps each store call (Redis: outages become StoreUnavailableError); none by default. */
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
export function createRateLimits({ rules, secret, make, call, sweep }: RateLimitsOptions): RateLimits {
  let consumes = 0;
  // Each action's rules in order, with the limiter of each, looked up once.
  const byAction = new Map<RateAction, Array<{ rule: RateRule; limiter: RateLimiter }>>();
  const limiterPrefixes: string[] = [];
  for (const [action, list] of Object.entries(rules) as [RateAction, RateRule[]][]) {
    byAction.set(
      action,
      list.map((rule) => {
        const prefix = `rl_${action}_${rule.scope}`;
        limiterPrefixes.push(prefix);
        return { rule, limiter: make(prefix, rule, action) };
      }),
    );
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

  /** One count: undefined when allowed, the RateLimiterRes when refused; a store's failure rejects. */
  const countOne = (limiter: RateLimiter, key: string): Promise<RateLimiterRes | undefined> =>
    limiter.consume(key).then(allowed, refusedOrFailed);

  return {
    async consume(action, keys) {
      if (sweep && ++consumes % SWEEP_EVERY === 0) for (const prefix of limiterPrefixes) sweep(prefix);
      for (const { rule, limiter } of byAction.get(action) ?? []) {
        const value = keys[rule.scope];
        if (value === undefined || value === '') continue;
        const key = hash(rule.scope, value);
        const res = await (call ? call(`rate limit ${action}`, () => countOne(limiter, key)) : countOne(limiter, key));
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

const allowed = (): undefined => undefined;

/** A limiter refuses by rejecting with its RateLimiterRes; anything else it rejects with is a failure. */
function refusedOrFailed(reason: unknown): RateLimiterRes {
  if (reason instanceof RateLimiterRes) return reason;
  throw reason;
}
