import Redis from 'ioredis';
import { testRedisUrl, uniquePrefix } from '../support/redis';

test('the test run has a Redis (started by the global setup or by .ci/run)', async () => {
  const redis = new Redis(testRedisUrl());
  const key = `${uniquePrefix('probe')}k`;
  try {
    await redis.set(key, 'v', 'PX', 5000);
    expect(await redis.get(key)).toBe('v');
  } finally {
    await redis.del(key);
    redis.disconnect();
  }
});
