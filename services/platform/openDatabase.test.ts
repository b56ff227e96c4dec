import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, PAGE_CACHE_KIB, WAL_AUTOCHECKPOINT_PAGES } from './openDatabase';

describe('openDatabase', () => {
  it('opens a file in WAL mode, checkpointing every WAL_AUTOCHECKPOINT_PAGES pages, with a page cache of PAGE_CACHE_KIB, and creates its folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rebind-open-'));
    try {
      const db = openDatabase(join(dir, 'nested', 'x.sqlite'));
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_AUTOCHECKPOINT_PAGES);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      // Not better-sqlite3's 16 MiB a connection: a negative cache_size is in KiB.
      expect(db.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps an in-memory database as SQLite makes it', () => {
    const db = openDatabase(':memory:');
    expect(db.pragma('journal_mode', { simple: true })).toBe('memory');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });
});
