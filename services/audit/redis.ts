import type Redis from 'ioredis';
import { GENESIS_MAC, makeHead, recordMac, verifyChain, type AuditVerification, type ChainedRecord } from './auditChain';
import type { AuditLog, AuditRecord } from './index';
import type { Clock } from '../../domain/clock';
import { execAll } from '../platform/execAll';
import { luaScript } from '../platform/luaScript';
import { storeCall } from '../platform/storeCall';

/** KEYS: the id counter, the head. Returns { last id, count, last MAC ('' for none) } as one snapshot. */
const READ_HEAD = luaScript(`
local head = redis.call('HMGET', KEYS[2], 'count', 'lastMac')
return { tonumber(redis.call('GET', KEYS[1]) or '0'), tonumber(head[1] or '0'), head[2] or '' }
`);

/**
 * KEYS: the id counter, the whole log, the conversation's log, the head.
 * ARGV: the id, count and last MAC the record was chained on; the record's JSON line; the new head's MAC.
 * Appends only if nobody appended since that state was read (compare-and-set): the chain stays linear
 * when several instances record at once. Otherwise returns the current state, to chain on and retry.
 * The MACs are computed by the bot, so the audit key never reaches Redis.
 */
const APPEND = luaScript(`
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
local head = redis.call('HMGET', KEYS[4], 'count', 'lastMac')
local count = tonumber(head[1] or '0')
local last = head[2] or ''
if seq ~= tonumber(ARGV[1]) or count ~= tonumber(ARGV[2]) or last ~= ARGV[3] then
  return { 0, seq, count, last }
end
redis.call('INCR', KEYS[1])
redis.call('RPUSH', KEYS[2], ARGV[4])
redis.call('RPUSH', KEYS[3], ARGV[4])
redis.call('HSET', KEYS[4], 'count', ARGV[5], 'lastMac', ARGV[6], 'mac', ARGV[7])
return { 1 }
`);

/** Attempts before giving up when other instances keep winning the race (each one appended a record). */
const MAX_ATTEMPTS = 200;

type State = [seq: number, count: number, lastMac: string];

/**
 * The audit trail on Redis, append-only and hash-chained like the SQLite one (nothing here updates or
 * deletes, and nothing expires: how long to keep an audit trail is the bank's decision, not a TTL's).
 * Layout: `audit:seq` (the last id), `audit:all` (every record, JSON with its `mac`, in id order),
 * `audit:conversation:<id>` (the same records of one conversation), so a conversation's trail is read
 * without scanning the others, and `audit:head` (count, lastMac, mac). `key` is `keys.audit`.
 */
export function createRedisAuditLog({
  redis,
  prefix,
  key,
  clock = Date.now,
}: {
  redis: Redis;
  prefix: string;
  key: Buffer;
  clock?: Clock;
}): AuditLog {
  const seqKey = `${prefix}audit:seq`;
  const allKey = `${prefix}audit:all`;
  const headKey = `${prefix}audit:head`;
  const conversationKey = (conversationId: string) => `${prefix}audit:conversation:${conversationId}`;
  const readHead = async (): Promise<State> =>
    (await storeCall('audit record', () => READ_HEAD.run(redis, [seqKey, headKey], []))) as State;

  const conversationLists = async (): Promise<string[]> => {
    const keys: string[] = [];
    // The prefix allows no glob characters (config), so the pattern matches these lists only.
    for await (const batch of redis.scanStream({ match: `${prefix}audit:conversation:*`, count: 500 })) {
      keys.push(...(batch as string[]));
    }
    return keys;
  };

  /**
   * The per-conversation lists are copies that list({ conversationId }) reads (and the bot checks a
   * change's idempotency with): each must hold exactly its conversation's lines of the chained log
   * (`lines`, read earlier), then only lines appended to the log since, while the bot kept recording.
   */
  const verifyCopies = async (lines: string[], records: ChainedRecord[]): Promise<AuditVerification> => {
    const n = records.length;
    const expected = new Map<string, string[]>();
    records.forEach((r, i) => {
      const listKey = conversationKey(r.conversationId);
      expected.set(listKey, [...(expected.get(listKey) ?? []), lines[i]!]);
    });
    const listKeys = await storeCall('audit verify', conversationLists);
    const copies = await storeCall('audit verify', async () => {
      const pipeline = redis.pipeline();
      for (const k of listKeys) pipeline.lrange(k, 0, -1);
      return execAll<string[]>(await pipeline.exec());
    });
    // Read after the copies: the script appends to the log and the copy at once, so any line a copy
    // gained since the snapshot is in here.
    const since = new Set(await storeCall('audit verify', () => redis.lrange(allKey, n, -1)));
    const copyOf = new Map(listKeys.map((k, i) => [k, copies[i]!]));
    for (const listKey of new Set([...expected.keys(), ...listKeys])) {
      const want = expected.get(listKey) ?? [];
      const got = copyOf.get(listKey) ?? [];
      const appended = (line: string) => since.has(line) && conversationKey(toChained(line).conversationId) === listKey;
      const bad = Array.from({ length: Math.max(got.length, want.length) }, (_, i) => i).find((i) =>
        i < want.length ? got[i] !== want[i] : !appended(got[i]!),
      );
      if (bad !== undefined) {
        const problem = got.length > want.length ? 'inserted' : got.length < want.length ? 'removed' : 'edited';
        const at = toChained((want[bad] ?? got[bad])!).id;
        return Number.isFinite(at) ? { ok: false, records: n, problem, at } : { ok: false, records: n, problem };
      }
    }
    return { ok: true, records: n };
  };

  /** The head as this process last saw it; unknown at first and after a failure. */
  let known: State | undefined;
  let tail: Promise<void> = Promise.resolve();
  const append = async (type: AuditRecord['type'], conversationId: string, data: AuditRecord['data']) => {
    const keys = [seqKey, allKey, conversationKey(conversationId), headKey];
    // What is stored is what is MACed: the data as it reads back from JSON.
    const stored = JSON.parse(JSON.stringify(data)) as AuditRecord['data'];
    let [seq, count, lastMac] = known ?? (await readHead());
    known = undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const record: AuditRecord = { id: seq + 1, at: clock(), type, conversationId, data: stored };
      const mac = recordMac(key, lastMac || GENESIS_MAC, record);
      const head = makeHead(key, count + 1, mac);
      const line = JSON.stringify({ ...record, mac });
      const args = [seq, count, lastMac, line, head.count, head.lastMac, head.mac];
      const reply = (await storeCall('audit record', () => APPEND.run(redis, keys, args))) as [number, ...State];
      if (reply[0] === 1) {
        known = [seq + 1, count + 1, mac];
        return;
      }
      // Another instance appended first: go on from the head it left.
      [, seq, count, lastMac] = reply;
    }
    throw new Error(`audit record: the log kept moving, gave up after ${MAX_ATTEMPTS} attempts`);
  };

  return {
    record(type, conversationId, data = {}) {
      // One append at a time per process: writers of one instance never race each other for the
      // head (only other instances can move it), and each append starts from the head the last one
      // left, without reading it again.
      const run = tail.then(() => append(type, conversationId, data));
      tail = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    },
    async list(filter = {}) {
      // An empty conversation id means no filter, as in the SQLite log.
      const listKey = filter.conversationId ? conversationKey(filter.conversationId) : allKey;
      const lines = await storeCall('audit list', () => redis.lrange(listKey, 0, -1));
      return lines.map((line) => {
        const { id, at, type, conversationId, data } = JSON.parse(line) as AuditRecord;
        return { id, at, type, conversationId, data };
      });
    },
    async verify() {
      // The log and its head as one snapshot.
      const [all, head] = await storeCall('audit verify', async () =>
        execAll<unknown>(await redis.multi().lrange(allKey, 0, -1).hgetall(headKey).exec()),
      );
      const lines = all as string[];
      const records = lines.map(toChained);
      const h = head as Record<string, string>;
      const chain = verifyChain(
        key,
        records,
        h['count'] === undefined ? undefined : { count: Number(h['count']), lastMac: h['lastMac'] ?? '', mac: h['mac'] ?? '' },
      );
      return chain.ok ? verifyCopies(lines, records) : chain;
    },
  };
}

/**
 * A stored line as the chain sees it, values as they are (no coercion: a number turned into a string is
 * an edit); a line that is not even a record any more still fails the check.
 */
function toChained(line: string): ChainedRecord {
  try {
    const r = JSON.parse(line) as ChainedRecord;
    return { id: r.id, at: r.at, type: r.type, conversationId: r.conversationId, data: r.data, mac: r.mac ?? null };
  } catch {
    return { id: NaN, at: NaN, type: 'code.sent', conversationId: '', data: { unreadable: line }, mac: null };
  }
}
