import Redis from 'ioredis';
import { testRedisUrl, uniquePrefix } from '../../tests/support/redis';
import { createAuditLog, type AuditLog, type AuditRecord } from '../audit';
import { tamperCases, type Tamperer } from '../audit/tamperCases';
import { openDatabase } from '../platform/openDatabase';
import { createRedisAuditLog } from './index';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(() => redis.disconnect());

const key = Buffer.alloc(32, 1);

/** Audit logs on one store (a second one stands for another instance). */
type Open = (clock: () => number) => () => AuditLog;

const stores: Array<[string, Open]> = [
  [
    'SQLite',
    (clock) => {
      const db = openDatabase(':memory:');
      return () => createAuditLog({ db, key, clock });
    },
  ],
  [
    'Redis',
    (clock) => {
      const prefix = uniquePrefix('audit');
      return () => createRedisAuditLog({ redis, prefix, key, clock });
    },
  ],
];

describe.each(stores)('audit log (%s)', (_name, open) => {
  it('records with increasing ids, in order, and lists one conversation', async () => {
    let now = 100;
    const audit = open(() => now++)();
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
    const make = open(() => 1);
    const logs = [make(), make(), make()];
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
});

/** Someone with write access to Redis (not to the audit key) rewriting `audit:all` and `audit:head`. */
function redisTamperer(prefix: string): Tamperer {
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

describe('hash-chained audit log (Redis)', () => {
  let prefix: string;
  let audit: AuditLog;
  beforeEach(() => {
    let now = 100;
    prefix = uniquePrefix('audit-chain');
    audit = createRedisAuditLog({ redis, prefix, key, clock: () => now++ });
  });

  async function fiveRecords(): Promise<void> {
    await audit.record('identity.passed', 'conv-a', { card: '6222****0001' });
    await audit.record('code.sent', 'conv-a', { phone: '138****8000', purpose: 'old' });
    await audit.record('code.verified', 'conv-a', { attempts: 1 });
    await audit.record('code.sent', 'conv-b', { phone: '139****9000', purpose: 'new' });
    await audit.record('change.committed', 'conv-a', { changeId: 'c1', phone: '139****9000' });
  }

  it('verifies an empty log and an untouched one', async () => {
    expect(await audit.verify()).toEqual({ ok: true, records: 0 });
    await fiveRecords();
    expect(await audit.verify()).toEqual({ ok: true, records: 5 });
  });

  it('verifies a consistent snapshot while new conversations are recorded', async () => {
    await fiveRecords();
    const writes = Array.from({ length: 20 }, (_, i) => audit.record('code.sent', `conv-new-${i}`, { i }));
    const checks = Array.from({ length: 5 }, () => audit.verify());
    await Promise.all(writes);
    for (const check of await Promise.all(checks)) expect(check).toMatchObject({ ok: true });
    expect(await audit.verify()).toEqual({ ok: true, records: 25 });
  });

  it('fails with the wrong key', async () => {
    await fiveRecords();
    const other = createRedisAuditLog({ redis, prefix, key: Buffer.alloc(32, 2) });
    expect(await other.verify()).toMatchObject({ ok: false, records: 5 });
  });

  it('spots a line that is no record any more', async () => {
    await fiveRecords();
    await redis.lset(`${prefix}audit:all`, 1, 'not json');
    expect(await audit.verify()).toMatchObject({ ok: false, records: 5 });
  });

  it.each([
    ['edited', (line: string) => redis.lset(`${prefix}audit:conversation:conv-a`, 1, line.replace('138', '139')), 2],
    ['removed', (line: string) => redis.lrem(`${prefix}audit:conversation:conv-a`, 1, line), 2],
    ['inserted', (line: string) => redis.rpush(`${prefix}audit:conversation:conv-c`, line), 2],
    // The copies list({ conversationId }) reads must match the chained log too.
  ] as const)('detects a conversation list %s', async (problem, tamper, at) => {
    await fiveRecords();
    const [, second] = await redis.lrange(`${prefix}audit:all`, 0, 1);
    await tamper(second!);
    expect(await audit.verify()).toEqual({ ok: false, records: 5, problem, at });
  });

  it.each(tamperCases)('detects %s', async (_name, tamper, expected) => {
    await fiveRecords();
    await tamper(redisTamperer(prefix));
    expect(await audit.verify()).toEqual(expected);
  });
});
