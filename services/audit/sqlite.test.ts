import { fiveRecords } from '../../tests/support/auditTamperCases';
import { openDatabase, type Db } from '../platform/openDatabase';
import type { AuditLog } from './index';
import { createSqliteAuditLog, verifySqliteAudit } from './sqlite';

// The audit contract (records, chain, tampering) runs on SQLite in auditContract.test.ts. Here: what only
// SQLite has — triggers, a file shared by processes, the upgrade of a log from before the chain.

const key = Buffer.alloc(32, 1);

describe('hash-chained audit log (SQLite)', () => {
  let db: Db;
  let audit: AuditLog;
  beforeEach(() => {
    let now = 100;
    db = openDatabase(':memory:');
    audit = createSqliteAuditLog({ db, key, clock: () => now++ });
  });
  afterEach(() => db.close());

  it('still verifies after another audit log on the same database appends', async () => {
    await fiveRecords(audit);
    const again = createSqliteAuditLog({ db, key, clock: () => 200 });
    await again.record('handoff.requested', 'conv-c', { reason: 'customerRequest' });
    expect(await audit.verify()).toEqual({ ok: true, records: 6 });
  });

  it('refuses to update or delete a record (triggers)', async () => {
    await fiveRecords(audit);
    expect(() => db.prepare("UPDATE audit_log SET data = '{}' WHERE id = 2").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE id = 5').run()).toThrow(/append-only/);
    expect(await audit.verify()).toEqual({ ok: true, records: 5 });
  });

  it('chains the records written before the chain existed, once, as they are', async () => {
    const old = openDatabase(':memory:');
    old.exec(`CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, type TEXT NOT NULL,
      conversation_id TEXT NOT NULL, data TEXT NOT NULL)`);
    const legacy = old.prepare('INSERT INTO audit_log (at, type, conversation_id, data) VALUES (?, ?, ?, ?)');
    legacy.run(1, 'code.sent', 'conv-a', '{"phone":"138****8000"}');
    legacy.run(2, 'code.verified', 'conv-a', '{}');
    const upgraded = createSqliteAuditLog({ db: old, key, clock: () => 3 });
    expect(await upgraded.verify()).toEqual({ ok: true, records: 2 });
    await upgraded.record('change.committed', 'conv-a', { changeId: 'c1' });
    expect(await upgraded.verify()).toEqual({ ok: true, records: 3 });
    expect((await upgraded.list()).map((r) => [r.id, r.type])).toEqual([
      [1, 'code.sent'],
      [2, 'code.verified'],
      [3, 'change.committed'],
    ]);
    // A second start does not chain again: not even a log made to look unchained (no head, no MACs).
    createSqliteAuditLog({ db: old, key });
    expect(await upgraded.verify()).toEqual({ ok: true, records: 3 });
    old.exec('DROP TRIGGER audit_log_append_only_update; DROP TRIGGER audit_log_append_only_delete');
    old.exec("UPDATE audit_log SET mac = NULL, data = '{}'; DELETE FROM audit_head");
    createSqliteAuditLog({ db: old, key });
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
