import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  RateLimiterSQLite,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { storeCall } from '../platform/storeCall';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../platform/openDatabase';
import { parseRateRules, type RateAction, type RateRule, type RateScope } from './rateRules';

/** Who is acting, as far as this turn knows; a scope without a key is not counted. */
export type RateKeys = Partial<Record<RateScope, string>>;

export type RateDecision =
  | { allowed: true }
  | {
      allowed: false;
      /** The first scope found over its limit. */
      scope: RateScope;
      retryAfterSeconds: number;
      /** True for the first refusal in the window: the one the customer is told about. */
      first: boolean;
    };

/** Counts actions per conversation, user, client IP and card (rate-limiter-flexible underneath). */
export interface RateLimits {
  /**
   * Counts one `action` for every scope that has a key and a rule, in the order of the rules. The first
   * scope over its limit refuses (later scopes are then not counted). Store failures are thrown.
   */
  consume(action: RateAction, keys: RateKeys): Promise<RateDecision>;
}

export type RateRuleSet = Record<RateAction, RateRule[]>;

/** The three settings, parsed (the config has already checked them). */
export function rateRulesFrom(settings: Record<RateAction, string>): RateRuleSet {
  return {
    messages: parseRateRules(settings.messages, 'messages'),
    identity: parseRateRules(settings.identity, 'identity'),
    codes: parseRateRules(settings.codes, 'codes'),
  };
}

/** Makes the store-backed limiter for one (action, scope) rule. */
type LimiterFactory = (keyPrefix: string, rule: RateRule, action: RateAction) => RateLimiterAbstract;

interface RateLimitsOptions {
  rules: RateRuleSet;
  /** Keys the hashes under which ids, addresses and cards are counted: none is stored as it is. */
  secret: Buffer;
  make: LimiterFactory;
  /** Wraps each store call (Redis: outages become StoreUnavailableError). */
  call?: <T>(what: string, run: () => Promise<T>) => Promise<T>;
  /** Deletes a limiter's expired counts (stores that do not expire them by themselves). */
  sweep?: (keyPrefix: string) => void;
}

/** Consumes between two sweeps of expired counts. */
const SWEEP_EVERY = 500;

function createRateLimits({ rules, secret, make, call = (_w, run) => run(), sweep }: RateLimitsOptions): RateLimits {
  let consumes = 0;
  const limiters = new Map<string, { rule: RateRule; limiter: RateLimiterAbstract }>();
  const limiterPrefixes: string[] = [];
  for (const [action, list] of Object.entries(rules) as [RateAction, RateRule[]][]) {
    for (const rule of list) {
      const prefix = `rl_${action}_${rule.scope}`;
      limiterPrefixes.push(prefix);
      limiters.set(`${action}:${rule.scope}`, { rule, limiter: make(prefix, rule, action) });
    }
  }
  const hash = (scope: RateScope, value: string) =>
    createHmac('sha256', secret).update(`rate|${scope}|${value}`).digest('base64url').slice(0, 32);

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

/** In memory: for one process in tests. */
export function createMemoryRateLimits(rules: RateRuleSet, secret: Buffer): RateLimits {
  return createRateLimits({
    rules,
    secret,
    make: inMemory,
  });
}

const inMemory = (keyPrefix: string, rule: RateRule) =>
  new RateLimiterMemory({ keyPrefix, points: rule.points, duration: rule.windowSeconds });

/**
 * One machine. Identity checks and code sends are counted in rebind.sqlite (one table per action
 * and scope), so a restart does not reset a card's daily allowance. Messages, counted on every turn
 * in windows of minutes, are counted in memory: a restart forgets a flood's count, and no turn pays
 * two SQLite commits for it. Expired rows are swept every few hundred consumes, in the caller's
 * turn: no timer outlives the database (the library's own sweep timer would fire on a closed one).
 */
export async function createSqliteRateLimits(rules: RateRuleSet, secret: Buffer, db: Db): Promise<RateLimits> {
  const ready: Promise<void>[] = [];
  // The sweep of each table in SQLite, prepared once.
  const sweeps = new Map<string, Statement<[number]>>();
  const limits = createRateLimits({
    rules,
    secret,
    make: (keyPrefix, rule, action) => {
      if (action === 'messages') return inMemory(keyPrefix, rule);
      let limiter!: RateLimiterSQLite;
      ready.push(
        new Promise<void>((resolve, reject) => {
          limiter = new RateLimiterSQLite(
            {
              storeClient: db,
              storeType: 'better-sqlite3',
              tableName: keyPrefix,
              points: rule.points,
              duration: rule.windowSeconds,
              clearExpiredByTimeout: false,
            },
            (err?: Error) => {
              if (err) return reject(err);
              // The library's table is there now: key, points, expire (ms since the epoch).
              sweeps.set(keyPrefix, db.prepare<[number]>(`DELETE FROM ${keyPrefix} WHERE expire < ?`));
              resolve();
            },
          );
        }),
      );
      return limiter;
    },
    sweep: (prefix) => void sweeps.get(prefix)?.run(Date.now()),
  });
  await Promise.all(ready);
  return limits;
}

/** In Redis, under `${prefix}rl_<action>_<scope>:`, shared by every instance (an atomic Lua increment). */
export function createRedisRateLimits(rules: RateRuleSet, secret: Buffer, redis: Redis, prefix: string): RateLimits {
  return createRateLimits({
    rules,
    secret,
    make: (keyPrefix, rule) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}${keyPrefix}`,
        points: rule.points,
        duration: rule.windowSeconds,
      }),
    call: storeCall,
  });
}
