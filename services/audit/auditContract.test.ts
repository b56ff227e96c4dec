import type Redis from 'ioredis';
import { fiveRecords, tamperCases, type Tamperer } from '../../tests/support/auditTamperCases';
import { redisForTests, uniquePrefix } from '../../tests/support/redis';
import { openGroupCommitFile } from '../../tests/support/groupCommitFile';
import { openDatabase, type Db } from '../platform/openDatabase';
import type { AuditLog, AuditRecord } from './index';
import { createRedisAuditLog } from './redis';
import { createSqliteAuditLog } from './sqlite';

// The audit log's contract, run on every adapter: the records, their ids, one chain across instances,
// and what verify() says about a log someone with write access to the store (not the key) changed.

const redis = redisForTests();

const key = Buffer.alloc(32, 1);

/** One test's store: every log made by `open` shares it (a second one stands for another instance). */
interface Store {
  open(clock: () => number, options?: { key?: Buffer }): AuditLog;
  /** Rewrites the store behind the logs' backs. */
  tamperer(): Tamperer;
  close(): void | Promise<void>;
}

/** Someone editing rebind.sqlite by hand: first the append-only triggers go. */
function sqliteTamperer(db: Db): Tamperer {
  db.exec('DROP TRIGGER audit_log_append_only_update; DROP TRIGGER audit_log_append_only_delete');
  type Row = { at: number; type: string; conversation_id: string; data: string; mac: string };
  const row = (id: number) =>
    db.prepare('SELECT at, type, conversation_id, data, mac FROM audit_log WHERE id = ?').get(id) as Row;
  const put = db.prepare('UPDATE audit_log SET at = ?, type = ?, conversation_id = ?, data = ?, mac = ? WHERE id = ?');
  return {
    async edit(id, data) {
      db.prepare('UPDATE audit_log SET data = ? WHERE id = ?').run(JSON.stringify(data), id);
    },
    async forge(record, beforeId) {
      if (beforeId !== undefined) {
        // Make room: the later records move up one id.
        db.prepare('UPDATE audit_log SET id = -id WHERE id >= ?').run(beforeId);
        db.prepare('UPDATE audit_log SET id = 1 - id WHERE id < 0').run();
      }
      db.prepare('INSERT INTO audit_log (id, at, type, conversation_id, data, mac) VALUES (?, ?, ?, ?, ?, ?)').run(
        record.id,
        record.at,
        record.type,
        record.conversationId,
        JSON.stringify(record.data),
        record.mac,
      );
    },
    async remove(id) {
      db.prepare('DELETE FROM audit_log WHERE id = ?').run(id);
    },
    async swap(a, b) {
      const [ra, rb] = [row(a), row(b)];
      put.run(rb.at, rb.type, rb.conversation_id, rb.data, rb.mac, a);
      put.run(ra.at, ra.type, ra.conversation_id, ra.data, ra.mac, b);
    },
    async setHeadCount(count) {
      db.prepare('UPDATE audit_head SET count = ?').run(count);
    },
    async removeHead() {
      db.prepare('DELETE FROM audit_head').run();
    },
  };
}

/** Someone with write access to Redis (not to the audit key) rewriting `audit:all` and `audit:head`. */
function redisTamperer(redis: Redis, prefix: string): Tamperer {
  const allKey = `${prefix}audit:all`;
  const headKey = `${prefix}audit:head`;
  const lines = () => redis.lrange(allKey, 0, -1);
  const lineOf = async (id: number) => {
    const line = (await lines()).find((l) => (JSON.parse(l) as AuditRecord).id === id);
    if (!line) throw new Error(`no record ${id}`);
    return line;
  };
  const indexOf = async (id: number) => (await lines()).indexOf(await lineOf(id));
  return {
    async edit(id, data) {
      const record = JSON.parse(await lineOf(id)) as AuditRecord;
      await redis.lset(allKey, await indexOf(id), JSON.stringify({ ...record, data }));
    },
    async forge(record, beforeId) {
      if (beforeId === undefined) await redis.rpush(allKey, JSON.stringify(record));
      else await redis.linsert(allKey, 'BEFORE', await lineOf(beforeId), JSON.stringify(record));
    },
    async remove(id) {
      await redis.lrem(allKey, 1, await lineOf(id));
    },
    async swap(a, b) {
      const [la, lb, ia, ib] = [await lineOf(a), await lineOf(b), await indexOf(a), await indexOf(b)];
      await redis.lset(allKey, ia, lb);
      await redis.lset(allKey, ib, la);
    },
    async setHeadCount(count) {
      await redis.hset(headKey, 'count', String(count));
    },
    async removeHead() {
      await redis.del(headKey);
    },
  };
}

const stores: Array<[string, () => Store]> = [
  [
    'SQLite',
    () => {
      const db = openDatabase(':memory:');
      return {
        open: (clock, options = {}) => createSqliteAuditLog({ db, key: options.key ?? key, clock }),
        tamperer: () => sqliteTamperer(db),
        close: () => void db.close(),
      };
    },
  ],
  [
    // As the bot runs it: every write joins the group commit's open transaction, and the chain's head
    // is written once, just before the commit.
    'SQLite, in a group commit',
    () => {
      const { connection, group, close } = openGroupCommitFile();
      // Someone else edits the file between two of the bot's commits, never inside one.
      const committed = (f: (...a: never[]) => Promise<void>) => async (...a: never[]) => {
        await group.durable();
        await f(...a);
      };
      return {
        open: (clock, options = {}) => createSqliteAuditLog({ db: group.db, key: options.key ?? key, clock }),
        tamperer: () =>
          Object.fromEntries(Object.entries(sqliteTamperer(connection)).map(([name, f]) => [name, committed(f)])) as unknown as Tamperer,
        close,
      };
    },
  ],
  [
    'Redis',
    () => {
      const prefix = uniquePrefix('audit');
      return {
        open: (clock, options = {}) => createRedisAuditLog({ redis, prefix, key: options.key ?? key, clock }),
        tamperer: () => redisTamperer(redis, prefix),
        close: () => undefined,
      };
    },
  ],
];

describe.each(stores)('audit log (%s)', (_name, make) => {
  let store: Store;
  beforeEach(() => (store = make()));
  afterEach(() => store.close());

  it('records with increasing ids, in order, and lists one conversation', async () => {
    let now = 100;
    const audit = store.open(() => now++);
    await audit.record('code.sent', 'conv-a', { phone: '138****8000' });
    await audit.record('identity.passed', 'conv-b');
    await audit.record('code.verified', 'conv-a', { attempts: 1, ok: true });
    expect(await audit.list()).toEqual([
      { id: 1, at: 100, type: 'code.sent', conversationId: 'conv-a', data: { phone: '138****8000' } },
      { id: 2, at: 101, type: 'identity.passed', conversationId: 'conv-b', data: {} },
      { id: 3, at: 102, type: 'code.verified', conversationId: 'conv-a', data: { attempts: 1, ok: true } },
    ]);
    expect((await audit.list({ conversationId: 'conv-a' })).map((r) => r.id)).toEqual([1, 3]);
    expect(await audit.list({ conversationId: 'nobody' })).toEqual([]);
    expect(await audit.list({ conversationId: '' })).toHaveLength(3);
  });

  it('keeps ids unique and in list order when instances record at once', async () => {
    const logs = [store.open(() => 1), store.open(() => 1), store.open(() => 1)];
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => logs[i % 3]!.record('code.sent', `conv-${i % 2}`, { i })),
    );
    const all = await logs[0]!.list();
    expect(all.map((r) => r.id)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const ids = (await logs[1]!.list({ conversationId: 'conv-1' })).map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids).toHaveLength(15);
    // One chain across the instances.
    expect(await logs[2]!.verify()).toEqual({ ok: true, records: 30 });
  });

  describe('hash chain', () => {
    let audit: AuditLog;
    beforeEach(() => {
      let now = 100;
      audit = store.open(() => now++);
    });

    it('verifies an empty log and an untouched one', async () => {
      expect(await audit.verify()).toEqual({ ok: true, records: 0 });
      await fiveRecords(audit);
      expect(await audit.verify()).toEqual({ ok: true, records: 5 });
      // list() keeps its shape: no chain fields.
      expect((await audit.list())[0]).toEqual({
        id: 1,
        at: 100,
        type: 'identity.passed',
        conversationId: 'conv-a',
        data: { card: '6222****0001' },
      });
    });

    it('fails with the wrong key', async () => {
      await fiveRecords(audit);
      const other = store.open(() => 200, { key: Buffer.alloc(32, 2) });
      expect(await other.verify()).toMatchObject({ ok: false, records: 5 });
    });

    it.each(tamperCases)('detects %s', async (_name, tamper, expected) => {
      await fiveRecords(audit);
      await tamper(store.tamperer());
      expect(await audit.verify()).toEqual(expected);
    });
  });
});
