import type Redis from 'ioredis';
import type { Clock } from '../../domain/clock';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { LUA_COMMON, luaScript } from '../platform/luaScript';
import { storeCall } from '../platform/storeCall';
import type { AttemptLimiter, FailResult, RateLimits } from './index';
import { createRateLimits } from './rateLimits';
import type { RateRuleSet } from './rateRules';

export interface RedisAttemptLimiterOptions {
  redis: Redis;
  prefix: string;
  /** What is being limited ('otp', 'identity'…): keys of different scopes never meet. */
  scope: string;
  maxAttempts: number;
  lockMs: number;
  clock?: Clock;
}

/** Extra life given to a lock's key past its logical end: Redis only collects garbage, the clock decides. */
export const LIMIT_GC_MARGIN_MS = 24 * 60 * 60 * 1000;

/**
 * `<prefix>limit:<scope>:<key>`, a hash { failures, lockedUntil? }. The scope is URI-encoded so it holds
 * no ':' and scope 'a:b' + key 'c' can never meet scope 'a' + key 'b:c'.
 */
export function limitKey(prefix: string, scope: string, key: string): string {
  return `${prefix}limit:${encodeURIComponent(scope)}:${key}`;
}

/**
 * The limiter's rules in Lua, shared with the OTP scripts (which must count a wrong code in the same
 * atomic step as they check it). Same rules as the SQLite limiter:
 * - `limit_current`: the record at `now`; an expired lock is deleted with its failures (a fresh count).
 * - `limit_fail`: counts one failure; the maxAttempts-th locks until now + lockMs; failing while
 *   locked keeps the lock as it is. Returns {'locked', until} or {'counted', attemptsLeft}.
 * Failure counts without a lock have no TTL: in SQLite they last until a success or a lock, and so here.
 * A lock's key expires `LIMIT_GC_MARGIN_MS` after the lock ends, long after the clock has lifted it.
 */
export const LIMITER_LUA = `${LUA_COMMON}
local function limit_current(key, now)
  local v = redis.call('HMGET', key, 'failures', 'lockedUntil')
  if not v[1] then return nil end
  local lockedUntil = tonumber(v[2])
  if lockedUntil and now >= lockedUntil then
    redis.call('DEL', key)
    return nil
  end
  return { failures = tonumber(v[1]), lockedUntil = lockedUntil }
end

local function limit_fail(key, now, maxAttempts, lockMs, gcMarginMs)
  local current = limit_current(key, now)
  if current and current.lockedUntil then return { 'locked', current.lockedUntil } end
  local failures = (current and current.failures or 0) + 1
  if failures >= maxAttempts then
    local untilAt = now + lockMs
    redis.call('HSET', key, 'failures', fmt(failures), 'lockedUntil', fmt(untilAt))
    redis.call('PEXPIRE', key, fmt(lockMs + gcMarginMs))
    return { 'locked', untilAt }
  end
  redis.call('HSET', key, 'failures', fmt(failures))
  return { 'counted', maxAttempts - failures }
end
`;

/** KEYS: the limit key. ARGV: now. Returns the lock's end, or nil when not locked. */
const LOCKED_UNTIL = luaScript(`${LIMITER_LUA}
local current = limit_current(KEYS[1], tonumber(ARGV[1]))
if current and current.lockedUntil then return current.lockedUntil end
return nil
`);

/** KEYS: the limit key. ARGV: now, maxAttempts, lockMs, gcMarginMs. */
const FAIL = luaScript(`${LIMITER_LUA}
return limit_fail(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]))
`);

/** Reads a limiter script's {'locked', until} / {'counted', attemptsLeft} reply. */
export function failResult(reply: unknown): FailResult {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string' || typeof reply[1] !== 'number') {
    throw new Error(`Unexpected limiter reply: ${JSON.stringify(reply)}`);
  }
  return reply[0] === 'locked' ? { locked: true, until: reply[1] } : { locked: false, attemptsLeft: reply[1] };
}

/**
 * The attempt limiter on Redis, shared by every instance. Same rules as `createSqliteAttemptLimiter`;
 * `fail` and `lockedUntil` are Lua scripts, so two instances failing at once count two failures.
 * Keys are stored as given: the caller passes an already-hashed key (never a card number in clear).
 */
export function createRedisAttemptLimiter({
  redis,
  prefix,
  scope,
  maxAttempts,
  lockMs,
  clock = Date.now,
}: RedisAttemptLimiterOptions): AttemptLimiter {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts must be an integer >= 1');
  if (!Number.isFinite(lockMs) || lockMs <= 0) throw new RangeError('lockMs must be > 0');
  const keyOf = (key: string) => limitKey(prefix, scope, key);
  return {
    async lockedUntil(key) {
      const until = await storeCall('limiter read', () => LOCKED_UNTIL.run(redis, [keyOf(key)], [clock()]));
      return typeof until === 'number' ? until : undefined;
    },
    async fail(key) {
      const reply = await storeCall('limiter fail', () =>
        FAIL.run(redis, [keyOf(key)], [clock(), maxAttempts, lockMs, LIMIT_GC_MARGIN_MS]),
      );
      return failResult(reply);
    },
    async reset(key) {
      await storeCall('limiter reset', () => redis.del(keyOf(key)));
    },
  };
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
