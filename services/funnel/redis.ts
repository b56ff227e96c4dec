import type Redis from 'ioredis';
import { storeCall } from '../platform/storeCall';
import type { FunnelEvent } from './funnel';
import type { FunnelLog } from './index';

/** Funnel events on Redis: one list, `${prefix}funnel`, of JSON `{conversation, step, at}`, appended. */
export function createRedisFunnelLog({ redis, prefix }: { redis: Redis; prefix: string }): FunnelLog {
  const key = `${prefix}funnel`;
  return {
    async record(conversation, step, at) {
      const event: FunnelEvent = { conversation, step, at };
      await storeCall('funnel record', () => redis.rpush(key, JSON.stringify(event)));
    },
    async all() {
      const items = await storeCall('funnel read', () => redis.lrange(key, 0, -1));
      return items.map((item) => JSON.parse(item) as FunnelEvent);
    },
  };
}
