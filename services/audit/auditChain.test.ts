import { openDatabase, type Db } from '../platform/openDatabase';
import { canonicalJson, GENESIS_MAC, makeHead, recordMac, verifyChain, type ChainedRecord } from './auditChain';
import { createAuditLog, verifySqliteAudit, type AuditLog } from './auditLog';
import { tamperCases, type Tamperer } from './tamperCases';

const key = Buffer.alloc(32, 1);

/** Five records, ids 1–5, at 100–104. */
async function fiveRecords(audit: AuditLog): Promise<void> {
  await audit.record('identity.passed', 'conv-a', { card: '6222****0001' });
  await audit.record('code.sent', 'conv-a', { phone: '138****8000', purpose: 'old' });
  await audit.record('code.verified', 'conv-a', { attempts: 1 });
  await audit.record('code.sent', 'conv-b', { phone: '139****9000', purpose: 'new' });
  await audit.record('change.committed', 'conv-a', { changeId: 'c1', phone: '139****9000' });
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

describe('hash-chained audit log (SQLite)', () => {
  let db: Db;
  let audit: AuditLog;
  beforeEach(() => {
    let now = 100;
    db = openDatabase(':memory:');
    audit = createAuditLog({ db, key, clock: () => now++ });
  });
  afterEach(() => db.close());

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

  it('still verifies after another audit log on the same database appends', async () => {
    await fiveRecords(audit);
    const again = createAuditLog({ db, key, clock: () => 200 });
    await again.record('handoff.requested', 'conv-c', { reason: 'customerRequest' });
    expect(await audit.verify()).toEqual({ ok: true, records: 6 });
  });

  it('refuses to update or delete a record (triggers)', async () => {
    await fiveRecords(audit);
    expect(() => db.prepare("UPDATE audit_log SET data = '{}' WHERE id = 2").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE id = 5').run()).toThrow(/append-only/);
    expect(await audit.verify()).toEqual({ ok: true, records: 5 });
  });

  it('fails with the wrong key', async () => {
    await fiveRecords(audit);
    const other = createAuditLog({ db, key: Buffer.alloc(32, 2) });
    expect(await other.verify()).toMatchObject({ ok: false, records: 5 });
  });

  it.each(tamperCases)('detects %s', async (_name, tamper, expected) => {
    await fiveRecords(audit);
    await tamper(sqliteTamperer(db));
    expect(await audit.verify()).toEqual(expected);
  });

  it('chains the records written before the chain existed, once, as they are', async () => {
    const old = openDatabase(':memory:');
    old.exec(`CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, type TEXT NOT NULL,
      conversation_id TEXT NOT NULL, data TEXT NOT NULL)`);
    const legacy = old.prepare('INSERT INTO audit_log (at, type, conversation_id, data) VALUES (?, ?, ?, ?)');
    legacy.run(1, 'code.sent', 'conv-a', '{"phone":"138****8000"}');
    legacy.run(2, 'code.verified', 'conv-a', '{}');
    const upgraded = createAuditLog({ db: old, key, clock: () => 3 });
    expect(await upgraded.verify()).toEqual({ ok: true, records: 2 });
    await upgraded.record('change.committed', 'conv-a', { changeId: 'c1' });
    expect(await upgraded.verify()).toEqual({ ok: true, records: 3 });
    expect((await upgraded.list()).map((r) => [r.id, r.type])).toEqual([
      [1, 'code.sent'],
      [2, 'code.verified'],
      [3, 'change.committed'],
    ]);
    // A second start does not chain again: not even a log made to look unchained (no head, no MACs).
    createAuditLog({ db: old, key });
    expect(await upgraded.verify()).toEqual({ ok: true, records: 3 });
    old.exec('DROP TRIGGER audit_log_append_only_update; DROP TRIGGER audit_log_append_only_delete');
    old.exec("UPDATE audit_log SET mac = NULL, data = '{}'; DELETE FROM audit_head");
    createAuditLog({ db: old, key });
    expect(await upgraded.verify()).toEqual({ ok: false, records: 3, problem: 'head' });
    old.close();
  });

  it('verifySqliteAudit reads without writing: no tables is an empty log', () => {
    const fresh = openDatabase(':memory:');
    expect(verifySqliteAudit(fresh, key)).toEqual({ ok: true, records: 0 });
    expect(fresh.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toEqual({ n: 0 });
    fresh.close();
  });
});

describe('verifyChain', () => {
  const chain = (n: number): { records: ChainedRecord[]; lastMac: string } => {
    let prev = GENESIS_MAC;
    const records = Array.from({ length: n }, (_, i) => {
      const record = { id: i + 1, at: i, type: 'code.sent' as const, conversationId: 'c', data: { i } };
      prev = recordMac(key, prev, record);
      return { ...record, mac: prev };
    });
    return { records, lastMac: prev };
  };

  it('accepts a chain and its head, and nothing without a head', () => {
    const { records, lastMac } = chain(3);
    expect(verifyChain(key, records, makeHead(key, 3, lastMac))).toEqual({ ok: true, records: 3 });
    expect(verifyChain(key, [], undefined)).toEqual({ ok: true, records: 0 });
    expect(verifyChain(key, records, undefined)).toEqual({ ok: false, records: 3, problem: 'head' });
  });

  it('spots a record with no MAC, and a data value whose type changed', () => {
    const { records, lastMac } = chain(3);
    const head = makeHead(key, 3, lastMac);
    expect(verifyChain(key, records.map((r, i) => (i === 1 ? { ...r, mac: null } : r)), head)).toMatchObject({
      ok: false,
      at: 2,
    });
    expect(verifyChain(key, records.map((r, i) => (i === 1 ? { ...r, data: { i: '1' } } : r)), head)).toEqual({
      ok: false,
      records: 3,
      problem: 'edited',
      at: 2,
    });
  });

  it('canonical JSON does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: true } })).toBe('{"a":{"c":true,"d":[1,"x"]},"b":1}');
    expect(canonicalJson({ b: 1, a: 2 })).toBe(canonicalJson({ a: 2, b: 1 }));
  });
});
