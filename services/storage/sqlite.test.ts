import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../platform/openDatabase';
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
    // Rolled back with the transaction it joined: nothing of it was committed on its own.
    db.exec('ROLLBACK');
    expect((await storage.read([KEY]))[KEY]).toEqual({ ...state, eTag: first });
    db.close();
  });
});
