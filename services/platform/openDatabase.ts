import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/**
 * Pages of WAL between two automatic checkpoints (SQLite's default is 1,000). A checkpoint copies
 * every page written since the last one into the file and syncs it, on the event loop: the pages a
 * commit rewrites each time (the tables' last pages, the audit head) are copied once per checkpoint,
 * and its two syncs hold the loop for milliseconds. Under the benchmark, 10,000 (about 40 MB of WAL at
 * most) cut the time of SQLite's calls per turn by 10–25% (bench/probes/sqliteCalls.js), and the
 * commits over 2 ms from 147 to 17; recovery after a crash reads that WAL once.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000;

/**
 * Pages each connection keeps in memory, in KiB (SQLite's own default). better-sqlite3 builds SQLite
 * with 16 MiB instead, per connection, and the bot holds two (rebind.sqlite and the embedded bank's):
 * under the benchmark the caches filled to about 17 MiB more of peak RSS, while SQLite's time per turn
 * was the same or less with 2 MiB (bench/probes/sqliteCalls.js, two pairs: 186/200 µs with 16 MiB,
 * 164/186 µs with 2). A turn touches few pages, and the operating system caches the file anyway.
 */
export const PAGE_CACHE_KIB = 2_000;

/**
 * Opens (creating if needed) a SQLite file, or an in-memory database for ':memory:'.
 * WAL so readers do not block the writer; a busy timeout so a second process waits instead of failing.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  if (file !== ':memory:') {
    db.pragma('journal_mode = WAL');
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  }
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}
