import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTransactionOf } from '../platform/groupCommit';
import { openDatabase } from '../platform/openDatabase';
import { openGroupCommitFile, type GroupCommitFile } from '../../tests/support/groupCommitFile';
import { UNCHANGED } from './index';
import { createSqliteStorage } from './sqlite';

// The Storage contract (eTags, batches, encryption) runs on SQLite in storageContract.test.ts.
// Here: what only SQLite has — a file that outlives the process.

const KEY = 'conversations/emulator/abc';
const state = { version: 1, snapshot: { value: 'collectingId', context: { card: '6222021234567890128' } } };

describe('SqliteStorage on a file', () => {
  it('keeps state when a file database is reopened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rebind-state-'));
    const file = join(dir, 'state.sqlite');
    const key = randomBytes(32);
    try {
      const first = openDatabase(file);
      await createSqliteStorage({ db: first, encryptionKey: key }).write({ [KEY]: state });
      const eTag = (await createSqliteStorage({ db: first, encryptionKey: key }).read([KEY]))[KEY].eTag;
      first.close();

      const again = openDatabase(file);
      const storage = createSqliteStorage({ db: again, encryptionKey: key });
      const item = (await storage.read([KEY]))[KEY];
      expect(item).toEqual({ ...state, eTag });
      await storage.write({ [KEY]: { ...item, version: 2 } }); // the stored eTag still guards writes
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SqliteStorage.writeOne inside an open transaction (a group commit)', () => {
  it('still refuses a stale eTag, writing nothing, and its write is the transaction\'s', async () => {
    const db = openDatabase(':memory:');
    const storage = createSqliteStorage({ db, encryptionKey: randomBytes(32) });
    const first = await storage.writeOne(KEY, state);

    db.exec('BEGIN IMMEDIATE');
    const second = await storage.writeOne(KEY, { ...state, version: 2, eTag: first });
    await expect(storage.writeOne(KEY, { ...state, version: 3, eTag: first })).rejects.toThrow('eTag conflict');
    expect(db.inTransaction).toBe(true);
    expect((await storage.read([KEY]))[KEY]).toEqual({ ...state, version: 2, eTag: second });
    // The last write before the rollback: the refused one above made the store forget the key.
    const third = await storage.writeOne(KEY, { ...state, version: 3, eTag: second });
    // Rolled back with the transaction it joined: nothing of it was committed on its own.
    db.exec('ROLLBACK');
    expect((await storage.read([KEY]))[KEY]).toEqual({ ...state, eTag: first });
    // Nor are their eTags taken for the stored one.
    expect(await storage.readUnlessUnchanged(KEY, second)).toEqual({ ...state, eTag: first });
    expect(await storage.readUnlessUnchanged(KEY, third)).toEqual({ ...state, eTag: first });
    db.close();
  });
});

describe('SqliteStorage.readUnlessUnchanged: what this connection wrote, unread while nobody else writes', () => {
  let opened: GroupCommitFile;
  beforeEach(() => (opened = openGroupCommitFile()));
  afterEach(() => opened.close());
  const encryptionKey = randomBytes(32);
  const storageOn = (db: Parameters<typeof createSqliteStorage>[0]['db']) => createSqliteStorage({ db, encryptionKey });
  /** Changes the row's eTag on `db` without the store: how the tests see whether the store read it. */
  const behindItsBack = (db: Parameters<typeof createSqliteStorage>[0]['db']) =>
    db.prepare("UPDATE conversation_state SET etag = 'changed' WHERE key = ?").run(KEY);

  it('takes a committed write of its own connection as still stored, without reading it', async () => {
    const storage = storageOn(opened.group.db);
    const eTag = await storage.writeOne(KEY, state);
    await opened.group.durable();
    behindItsBack(opened.connection);
    // Not read: the change made on this very connection outside the store goes unseen (only the
    // store writes its table), which is how this test knows no read happened.
    expect(await storage.readUnlessUnchanged(KEY, eTag)).toBe(UNCHANGED);
    // Another store on the same connection shares what it knows.
    expect(await storageOn(opened.group.db).readUnlessUnchanged(KEY, eTag)).toBe(UNCHANGED);
  });

  it('reads again once another connection has committed to the file, whatever it wrote', async () => {
    const storage = storageOn(opened.group.db);
    const eTag = await storage.writeOne(KEY, state);
    await opened.group.durable();
    const other = openDatabase(opened.file);
    try {
      // Another process writes the same row: seen.
      const theirs = await storageOn(other).writeOne(KEY, { ...state, version: 2 });
      expect(await storage.readUnlessUnchanged(KEY, eTag)).toEqual({ ...state, version: 2, eTag: theirs });
      // Ours again, then another process writes another table only: read again all the same.
      const ours = await storage.writeOne(KEY, { ...state, version: 3, eTag: theirs });
      await opened.group.durable();
      behindItsBack(opened.connection);
      other.exec('CREATE TABLE IF NOT EXISTS elsewhere (n INTEGER); INSERT INTO elsewhere VALUES (1)');
      expect(await storage.readUnlessUnchanged(KEY, ours)).toEqual({ ...state, version: 3, eTag: 'changed' });
    } finally {
      other.close();
    }
  });

  it('does not take a write whose group commit failed for the stored one', async () => {
    const storage = storageOn(opened.group.db);
    const first = await storage.writeOne(KEY, state);
    await opened.group.durable();
    const before = opened.group.mark();
    const lost = await storage.writeOne(KEY, { ...state, version: 2, eTag: first });
    openTransactionOf(opened.group.db)!.beforeCommit('failure', () => {
      throw new Error('disk full');
    });
    await expect(opened.group.durable(before)).rejects.toThrow('not known to be on disk');
    expect(await storage.readUnlessUnchanged(KEY, lost)).toEqual({ ...state, eTag: first });
    expect(await storage.readUnlessUnchanged(KEY, first)).toBe(UNCHANGED);
  });

  it('does not take a write of a batch (a savepoint that may yet be undone) or a deleted row for the stored one', async () => {
    const storage = storageOn(opened.group.db);
    await storage.write({ [KEY]: state });
    await opened.group.durable();
    const { eTag } = (await storage.read([KEY]))[KEY];
    behindItsBack(opened.connection);
    expect(await storage.readUnlessUnchanged(KEY, eTag as string)).toEqual({ ...state, eTag: 'changed' });
    const again = await storage.writeOne(KEY, state);
    await opened.group.durable();
    await storage.delete([KEY]);
    expect(await storage.readUnlessUnchanged(KEY, again)).toBeUndefined();
  });
});
