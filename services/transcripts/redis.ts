import type Redis from 'ioredis';
import type { Clock } from '../../domain/clock';
import { checkCutoff, maskLineText, type TranscriptLine, type TranscriptStore } from './index';
import { execAll } from '../platform/execAll';
import { luaScript } from '../platform/luaScript';
import { storeCall } from '../platform/storeCall';

export interface RedisTranscriptStoreOptions {
  redis: Redis;
  prefix: string;
  clock?: Clock;
  /** Lines kept per conversation, the latest (an agent reads the recent past, not the whole history). */
  maxLines?: number;
  /**
   * A conversation nobody has written to for this long is forgotten; every append starts it again.
   * The retention (TRANSCRIPT_RETENTION_DAYS); `purgeOlderThan` removes older lines of lists still in use.
   */
  keepMs?: number;
  /** Lists whose lines `purgeOlderThan` checks per round trip. */
  scanCount?: number;
}

/**
 * KEYS: one conversation's list. ARGV: the cutoff (ms). Removes, in place and in order, every line said
 * before the cutoff (and any line whose time cannot be read), keeping the list's expiry; returns how
 * many went. Lines are in time order nearly always, not always (a line may bring its own time), so
 * every line is checked. Each line is JSON starting {"at":<ms>, as append writes it; cjson reads any
 * other. A removed line is first overwritten with '' (no JSON line is empty), then all '' go at once.
 */
const PURGE_LIST = luaScript(`
local cutoff = tonumber(ARGV[1])
local gone = 0
for i, line in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local at = tonumber(string.match(line, '^{"at":(%-?[%d.eE+]+)[,}]') or '')
  if at == nil then
    local ok, value = pcall(cjson.decode, line)
    if ok and type(value) == 'table' then at = tonumber(value.at) end
  end
  if at == nil or at < cutoff then
    redis.call('LSET', KEYS[1], i - 1, '')
    gone = gone + 1
  end
end
if gone > 0 then redis.call('LREM', KEYS[1], 0, '') end
return gone
`);

/** `text` as a literal in a SCAN MATCH pattern. */
const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

/**
 * Transcripts on Redis: one list per conversation, `transcript:<conversationId>`, of JSON lines
 * { at, from, text }, oldest first. Text is masked (`maskLineText`) before it leaves the process, as with
 * SQLite. An append is one MULTI: RPUSH, LTRIM to the last `maxLines`, PEXPIRE `keepMs` (the retention;
 * 30 days by default). Retention inside a list still in use: `purgeOlderThan` SCANs the lists and removes
 * the lines whose `at` is before the cutoff (one script per list). Keys and lines are as they always
 * were (the time was already in every line), so lists written before it are purged the same way.
 */
export function createRedisTranscriptStore({
  redis,
  prefix,
  clock = Date.now,
  maxLines = 200,
  keepMs = 30 * 24 * 60 * 60 * 1000,
  scanCount = 500,
}: RedisTranscriptStoreOptions): TranscriptStore {
  if (!Number.isInteger(maxLines) || maxLines < 1) throw new RangeError('maxLines must be an integer >= 1');
  if (!Number.isInteger(keepMs) || keepMs < 1) throw new RangeError('keepMs must be an integer >= 1');
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
    async purgeOlderThan(cutoffMs) {
      const cutoff = checkCutoff(cutoffMs);
      let gone = 0;
      await storeCall('transcript purge', async () => {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}transcript:*`, 'COUNT', scanCount);
          const counts = await Promise.all(keys.map((key) => PURGE_LIST.run(redis, [key], [cutoff])));
          for (const n of counts) gone += Number(n);
          cursor = next;
        } while (cursor !== '0');
      });
      return gone;
    },
  };
}
