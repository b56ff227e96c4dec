import type Redis from 'ioredis';
import type { AuditLog, AuditRecord } from '../audit';
import type { Clock } from '../clock';
import { luaScript } from './luaScript';
import { storeCall } from './storeCall';

/**
 * KEYS: the id counter, the whole log, the conversation's log. ARGV: the record's JSON without its id
 * (an object starting with '{"at"'). The id is taken and the record appended in one step, so the lists
 * are in id order even when several instances record at once.
 */
const RECORD = luaScript(`
local id = redis.call('INCR', KEYS[1])
local line = '{"id":' .. string.format('%d', id) .. ',' .. string.sub(ARGV[1], 2)
redis.call('RPUSH', KEYS[2], line)
redis.call('RPUSH', KEYS[3], line)
return id
`);

/**
 * The audit trail on Redis, append-only like the SQLite one (nothing here updates or deletes, and
 * nothing expires: how long to keep an audit trail is the bank's decision, not a TTL's).
 * Layout: `audit:seq` (the last id), `audit:all` (every record, JSON, in id order) and
 * `audit:conversation:<id>` (the same records of one conversation), so a conversation's trail is read
 * without scanning the others.
 */
export function createRedisAuditLog({
  redis,
  prefix,
  clock = Date.now,
}: {
  redis: Redis;
  prefix: string;
  clock?: Clock;
}): AuditLog {
  const seqKey = `${prefix}audit:seq`;
  const allKey = `${prefix}audit:all`;
  const conversationKey = (conversationId: string) => `${prefix}audit:conversation:${conversationId}`;
  return {
    async record(type, conversationId, data = {}) {
      const body = JSON.stringify({ at: clock(), type, conversationId, data });
      const keys = [seqKey, allKey, conversationKey(conversationId)];
      await storeCall('audit record', () => RECORD.run(redis, keys, [body]));
    },
    async list(filter = {}) {
      // An empty conversation id means no filter, as in the SQLite log.
      const key = filter.conversationId ? conversationKey(filter.conversationId) : allKey;
      const lines = await storeCall('audit list', () => redis.lrange(key, 0, -1));
      return lines.map((line) => JSON.parse(line) as AuditRecord);
    },
  };
}
