import { once } from 'node:events';
import { startRedisServer, uniquePrefix, type RedisProcess } from '../../tests/support/redis';
import { createRedisStorage } from '../storage/redis';
import { connectRedis, StoreUnavailableError, whenReady } from './redisClient';

let server: RedisProcess;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server.stop();
});

// No timing is asserted: a command that hung instead of failing would run into the test's timeout.
test('with Redis down a read fails at once (StoreUnavailableError), and works again once Redis is back', async () => {
  const redis = connectRedis(server.url);
  // The client reports every failed reconnection; a listener keeps them from being unhandled.
  redis.on('error', () => undefined);
  try {
    await whenReady(redis);
    const storage = createRedisStorage({ redis, prefix: uniquePrefix('down') });
    await storage.write({ k: { n: 1 } });

    const closed = once(redis, 'close');
    await server.stop();
    await closed;
    const failure = storage.read(['k']);
    await expect(failure).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(failure).rejects.toThrow('Redis unavailable (storage read)');
    await expect(storage.write({ k: { n: 2 } })).rejects.toBeInstanceOf(StoreUnavailableError);

    await server.start();
    await whenReady(redis, 10_000);
    // A fresh server (no persistence): the state is gone, but the client is back without a restart.
    expect(await storage.read(['k'])).toEqual({});
    await storage.write({ k: { n: 3 } });
    expect((await storage.read(['k']))['k']?.n).toBe(3);
  } finally {
    redis.disconnect();
  }
}, 30_000);

test('runs its scripts again after Redis forgot them (SCRIPT FLUSH, a restart)', async () => {
  // On this test's own server: flushing the shared one would make every other suite reload its scripts.
  const redis = connectRedis(server.url);
  try {
    await whenReady(redis);
    const storage = createRedisStorage({ redis, prefix: uniquePrefix('flush') });
    await storage.write({ k: { n: 1 } });
    await redis.script('FLUSH');
    await storage.write({ k: { n: 2 } });
    expect((await storage.read(['k']))['k']?.n).toBe(2);
  } finally {
    redis.disconnect();
  }
});
