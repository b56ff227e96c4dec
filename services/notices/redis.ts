import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import type { Clock } from '../../domain/clock';
import type { NoticeSender } from './index';
import type { SmsGateway } from '../sms';
import { COMPARE_AND_DELETE } from '../platform/luaScript';
import { storeCall } from '../platform/storeCall';

export interface RedisNoticeSenderOptions {
  redis: Redis;
  prefix: string;
  sms: SmsGateway;
  clock?: Clock;
  /**
   * How long a sent notice's key is kept. Keys name one change (retries of its turn come within minutes),
   * so they are dropped after a month to collect garbage; SQLite keeps them forever.
   */
  keepMs?: number;
}

/** KEYS: the notice key. ARGV: the claim's token. Releases the claim only if it is still ours. */

/**
 * Sends a message once per key across every instance, like `createSqliteNoticeSender`: the claim is
 * `SET <prefix>notice:<key> NX`, so of two instances reaching the same change only one sends. If the
 * gateway fails the claim is released (compare-and-delete on a token of our own) so a retry can send.
 */
export function createRedisNoticeSender({
  redis,
  prefix,
  sms,
  clock = Date.now,
  keepMs = 30 * 24 * 60 * 60 * 1000,
}: RedisNoticeSenderOptions): NoticeSender {
  return {
    async sendOnce(key, message) {
      const redisKey = `${prefix}notice:${key}`;
      // The time the claim was made, for whoever reads Redis; the random part makes the claim ours alone.
      const token = `${clock()}:${randomBytes(8).toString('hex')}`;
      const claimed = await storeCall('notice claim', () => redis.set(redisKey, token, 'PX', keepMs, 'NX'));
      if (claimed !== 'OK') return false;
      try {
        await sms.send(message);
        return true;
      } catch (err) {
        await storeCall('notice release', () => COMPARE_AND_DELETE.run(redis, [redisKey], [token]));
        throw err;
      }
    },
  };
}
