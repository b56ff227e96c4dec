import { startRedisServer, type RedisProcess } from './redis';

declare global {
  // eslint-disable-next-line no-var
  var __REBIND_REDIS__: RedisProcess | undefined;
}

/** One Redis for the whole run (unless CI already started one and set TEST_REDIS_URL). */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_REDIS_URL) return;
  const redis = await startRedisServer();
  globalThis.__REBIND_REDIS__ = redis;
  process.env.TEST_REDIS_URL = redis.url;
}
