import Database from 'better-sqlite3';
import { fiveRecords } from '../../tests/support/auditTamperCases';
import { openGroupCommitFile, type GroupCommitFile } from '../../tests/support/groupCommitFile';
import type { GroupCommit } from '../platform/groupCommit';
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

describe('hash-chained audit log in a group commit (as the bot runs it)', () => {
  let opened: GroupCommitFile;
  let connection: Db;
  let group: GroupCommit;
  let writes: number[];
  let audit: AuditLog;
  /** Another process's view of the file: committed rows only. */
  let other: Db;
  const committed = () => ({
    records: (other.prepare('SELECT count(*) FROM audit_log').pluck().get() as number),
    head: (other.prepare('SELECT count FROM audit_head').pluck().get() as number | undefined),
  });

  beforeEach(() => {
    writes = [];
    opened = openGroupCommitFile({ onCommit: (n) => writes.push(n) });
    ({ connection, group } = opened);
    let now = 100;
    audit = createSqliteAuditLog({ db: group.db, key, clock: () => now++ });
    other = new Database(opened.file, { readonly: true });
  });
  afterEach(async () => {
    other.close();
    await opened.close();
  });

  it('commits the records and their head together, each record one statement', async () => {
    await group.durable();
    writes = [];
    await fiveRecords(audit);
    expect(committed()).toEqual({ records: 0, head: undefined });
    await group.durable();
    expect(committed()).toEqual({ records: 5, head: 5 });
    // Five INSERTs joined the commit: no savepoint, no head written, per record.
    expect(writes).toEqual([5]);
    await audit.record('change.committed', 'conv-a', { changeId: 'c1' });
    // In this process the head of what is not committed yet is the one it will be committed with.
    expect(await audit.verify()).toEqual({ ok: true, records: 6 });
    expect(committed()).toEqual({ records: 5, head: 5 });
    await group.durable();
    expect(committed()).toEqual({ records: 6, head: 6 });
    expect(verifySqliteAudit(other, key)).toEqual({ ok: true, records: 6 });
  });

  it('a commit that fails loses the records and their head together; the chain goes on from what was committed', async () => {
    await audit.record('identity.passed', 'conv-a');
    await group.durable();
    connection.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)');
    const before = group.mark();
    await audit.record('code.sent', 'conv-a', { phone: '138****8000' });
    // A deferred foreign key fails the whole commit.
    group.db.prepare('INSERT INTO child (p) VALUES (42)').run();
    await expect(group.durable(before)).rejects.toThrow('not known to be on disk');
    expect(committed()).toEqual({ records: 1, head: 1 });
    await audit.record('code.sent', 'conv-a', { phone: '138****8000' });
    await group.durable();
    expect(committed()).toEqual({ records: 2, head: 2 });
    expect(verifySqliteAudit(other, key)).toEqual({ ok: true, records: 2 });
  });

  it('another audit log on the same db appends after the same end', async () => {
    const again = createSqliteAuditLog({ db: group.db, key, clock: () => 200 });
    await audit.record('identity.passed', 'conv-a');
    await again.record('handoff.requested', 'conv-b', { reason: 'customerRequest' });
    await audit.record('code.sent', 'conv-a');
    await group.durable();
    expect(verifySqliteAudit(other, key)).toEqual({ ok: true, records: 3 });
  });

  it('inside a transaction function: written as it goes, unless records wait for the commit', async () => {
    const inside = (record: () => Promise<void>) => {
      let result: Promise<void> | undefined;
      group.db.transaction(() => {
        result = record();
      })();
      return result!;
    };
    // Nothing kept for the commit yet: the record and its head are written in the savepoint.
    await inside(() => audit.record('identity.passed', 'conv-a'));
    await audit.record('code.sent', 'conv-a');
    // Now the end is kept for the commit, and a savepoint could undo a record but not that end.
    await expect(inside(() => audit.record('code.sent', 'conv-b'))).rejects.toThrow(/inside a transaction function/);
    await group.durable();
    expect(verifySqliteAudit(other, key)).toEqual({ ok: true, records: 2 });
  });
});
