import Redis from 'ioredis';
import { testRedisUrl, uniquePrefix } from './redis';
import { createRedisHandoffQueue, type RedisHandoffQueue, type RedisHandoffQueueOptions } from '../../services/handoff/redis';

/**
 * Redis handoff queues on the test Redis for one test file: each on a prefix of its own, shut down
 * after each test, the connections closed after the file. Call it at the top level of the file.
 */
export function redisQueuesForTests(label: string) {
  let redis: Redis | undefined;
  let subscriber: Redis | undefined;
  const opened: RedisHandoffQueue[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((q) => q.shutdown()));
  });
  afterAll(() => {
    redis?.disconnect();
    subscriber?.disconnect();
  });
  return {
    /** A queue on a fresh prefix, with the connection and prefix, to read what it stored. */
    open(options: Omit<RedisHandoffQueueOptions, 'redis' | 'subscriber' | 'prefix'> = {}) {
      redis ??= new Redis(testRedisUrl());
      subscriber ??= redis.duplicate();
      const prefix = uniquePrefix(label);
      const queue = createRedisHandoffQueue({ ...options, redis, subscriber, prefix });
      opened.push(queue);
      return { queue, redis, prefix };
    },
  };
}
