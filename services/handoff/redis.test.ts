import { redisForTests, uniquePrefix } from '../../tests/support/redis';
import { createRedisDeliveryClaims } from './redis';

// The queue's contract runs on Redis in queueContract.test.ts. Here: the claims that let one instance
// of several deliver a queue event.

const redis = redisForTests();
const other = redisForTests();

test('of instances claiming one event at once, exactly one wins; the claim is relay:<eventId>, kept ten minutes', async () => {
  const prefix = uniquePrefix('relay');
  const claims = [createRedisDeliveryClaims({ redis, prefix }), createRedisDeliveryClaims({ redis: other, prefix })];
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => claims[i % 2]!('event-1')));
  expect(results.filter(Boolean)).toHaveLength(1);
  expect(await claims[0]!('event-2')).toBe(true);
  const ttl = await redis.pttl(`${prefix}relay:event-1`);
  expect(ttl).toBeGreaterThan(9 * 60_000);
  expect(ttl).toBeLessThanOrEqual(10 * 60_000);
});
