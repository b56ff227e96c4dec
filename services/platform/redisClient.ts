import Redis, { type RedisOptions } from 'ioredis';

/**
 * A Redis connection for the bot's shared state. It fails fast: with no connection a command is
 * refused at once (no offline queue), so a turn fails closed with a clear message instead of hanging,
 * and the client keeps reconnecting in the background, so the bot recovers when Redis is back.
 */
export function connectRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 100, 1000),
    lazyConnect: false,
    ...options,
  });
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export async function whenReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const ready = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', ready);
    };
    redis.on('ready', ready);
  });
}

// In a file of its own, so that what only catches it (the turn error handler) does not load ioredis.
export { StoreUnavailableError } from './storeUnavailable';
