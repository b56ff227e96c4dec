import type Redis from 'ioredis';
import type { Clock } from '../../domain/clock';
import type { FaqFeedback } from './index';
import { execAll } from '../platform/execAll';
import { storeCall } from '../platform/storeCall';

/**
 * "Was this helpful?" answers on Redis: two hashes of counters, `feedback:helpful` and
 * `feedback:notHelpful`, each faqId → count, bumped together in one MULTI (the other by 0, so every
 * topic answered at least once appears in both). Only the counts the summary needs are kept: no
 * conversation id, not even hashed, so nothing here can be tied back to a customer.
 */
export function createRedisFaqFeedback({
  redis,
  prefix,
}: {
  redis: Redis;
  prefix: string;
  /** Accepted like the SQLite one's; unused, as no time is kept with the counts. */
  clock?: Clock;
}): FaqFeedback {
  const helpfulKey = `${prefix}feedback:helpful`;
  const notHelpfulKey = `${prefix}feedback:notHelpful`;
  return {
    async record({ faqId, helpful }) {
      await storeCall('feedback record', async () =>
        execAll(
          await redis
            .multi()
            .hincrby(helpfulKey, faqId, helpful ? 1 : 0)
            .hincrby(notHelpfulKey, faqId, helpful ? 0 : 1)
            .exec(),
        ),
      );
    },
    async summary() {
      const [helpful = {}, notHelpful = {}] = await storeCall('feedback summary', async () =>
        execAll<Record<string, string>>(await redis.multi().hgetall(helpfulKey).hgetall(notHelpfulKey).exec()),
      );
      const ids = [...new Set([...Object.keys(helpful), ...Object.keys(notHelpful)])];
      // Byte order of the UTF-8 ids, like SQLite's ORDER BY on TEXT.
      ids.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
      return ids.map((faqId) => ({
        faqId,
        helpful: Number(helpful[faqId] ?? 0),
        notHelpful: Number(notHelpful[faqId] ?? 0),
      }));
    },
  };
}
