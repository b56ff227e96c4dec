import type Redis from 'ioredis';
import type { Clock } from '../clock';
import { maskLineText, type TranscriptLine, type TranscriptStore } from '../transcripts';
import { execAll } from './execAll';
import { storeCall } from './storeCall';

export interface RedisTranscriptStoreOptions {
  redis: Redis;
  prefix: string;
  clock?: Clock;
  /** Lines kept per conversation, the latest (an agent reads the recent past, not the whole history). */
  maxLines?: number;
  /** A conversation nobody has written to for this long is forgotten; every append starts it again. */
  keepMs?: number;
}

/**
 * Transcripts on Redis: one list per conversation, `transcript:<conversationId>`, of JSON lines
 * { at, from, text }, oldest first. Text is masked (`maskLineText`) before it leaves the process, as with
 * SQLite. An append is one MULTI: RPUSH, LTRIM to the last `maxLines`, PEXPIRE `keepMs` (30 days).
 */
export function createRedisTranscriptStore({
  redis,
  prefix,
  clock = Date.now,
  maxLines = 200,
  keepMs = 30 * 24 * 60 * 60 * 1000,
}: RedisTranscriptStoreOptions): TranscriptStore {
  if (!Number.isInteger(maxLines) || maxLines < 1) throw new RangeError('maxLines must be an integer >= 1');
  const keyOf = (conversationId: string) => `${prefix}transcript:${conversationId}`;
  return {
    async append(conversationId, lines) {
      if (lines.length === 0) return;
      const json = lines.map((line) =>
        JSON.stringify({ at: line.at ?? clock(), from: line.from, text: maskLineText(line.text) }),
      );
      const key = keyOf(conversationId);
      await storeCall('transcript append', async () =>
        execAll(
          await redis
            .multi()
            .rpush(key, ...json)
            .ltrim(key, -maxLines, -1)
            .pexpire(key, keepMs)
            .exec(),
        ),
      );
    },
    async recent(conversationId, limit = 50) {
      // As SQLite's LIMIT: 0 gives nothing, a negative limit everything.
      const n = Math.trunc(limit);
      if (n === 0) return [];
      const start = n > 0 ? -n : 0;
      const lines = await storeCall('transcript read', () => redis.lrange(keyOf(conversationId), start, -1));
      return lines.map((line) => JSON.parse(line) as TranscriptLine);
    },
    async forget(conversationId) {
      const key = keyOf(conversationId);
      const [count] = await storeCall('transcript forget', async () =>
        execAll<number>(await redis.multi().llen(key).del(key).exec()),
      );
      return count ?? 0;
    },
  };
}
