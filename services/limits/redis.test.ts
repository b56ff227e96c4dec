import { redisForTests, uniquePrefix } from '../../tests/support/redis';
import { createRedisAttemptLimiter, limitKey } from './redis';

// The limiter contract runs on Redis in attemptLimiterContract.test.ts. Here: the keys.

const MIN = 60_000;
const redis = redisForTests();

test('failures are kept until a success or a lock; a lock key is collected a day after the lock ends', async () => {
  const prefix = uniquePrefix('limits');
  const now = 1_700_000_000_000;
  const options = { redis, prefix, scope: 'identity', maxAttempts: 2, lockMs: 30 * MIN, clock: () => now };
  const limiter = createRedisAttemptLimiter(options);
  const key = limitKey(prefix, 'identity', 'k');
  expect(key).toBe(`${prefix}limit:identity:k`);

  await limiter.fail('k');
  expect(await redis.hgetall(key)).toEqual({ failures: '1' });
  expect(await redis.pttl(key)).toBe(-1); // as in SQLite, a count without a lock does not lapse

  await limiter.fail('k');
  expect(await redis.hgetall(key)).toEqual({ failures: '2', lockedUntil: String(now + 30 * MIN) });
  expect(await redis.pttl(key)).toBeGreaterThan(30 * MIN + 23 * 60 * MIN);

  await limiter.reset('k');
  expect(await redis.exists(key)).toBe(0);
});

test("scopes are kept apart even when they contain ':'", async () => {
  const prefix = uniquePrefix('limits');
  const options = { redis, prefix, maxAttempts: 1, lockMs: MIN };
  await createRedisAttemptLimiter({ ...options, scope: 'a:b' }).fail('c');
  expect(await createRedisAttemptLimiter({ ...options, scope: 'a' }).lockedUntil('b:c')).toBeUndefined();
  expect(await createRedisAttemptLimiter({ ...options, scope: 'a:b' }).lockedUntil('c')).toEqual(expect.any(Number));
});
