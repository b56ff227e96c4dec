import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from './openDatabase';
import { startWalCheckpointer, type WalCheckpointer } from './walCheckpointer';

let dir: string;
let file: string;
let db: Db;
let checkpointer: WalCheckpointer | undefined;

const walBytes = () => statSync(`${file}-wal`).size;
const until = async (done: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};
/** About 100 KB of rows in one commit. */
const writeBatch = (() => {
  let n = 0;
  return () => {
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 100; i += 1) insert.run(`${n++}`.padEnd(1000, 'x'));
    })();
  };
})();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rebind-ckpt-'));
  file = join(dir, 'x.sqlite');
  db = openDatabase(file);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
});

afterEach(async () => {
  await checkpointer?.close();
  checkpointer = undefined;
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a WAL over the threshold is checkpointed by the worker: its pages reach the database file', async () => {
  checkpointer = startWalCheckpointer(db, file, { thresholdBytes: 64 * 1024 });
  const before = statSync(file).size;
  writeBatch();
  checkpointer.walSize(walBytes());
  await until(() => checkpointer!.runs === 1);
  expect(statSync(file).size).toBeGreaterThan(before + 90 * 1024);
});

test('under the threshold, or while one runs, no checkpoint is asked for', async () => {
  checkpointer = startWalCheckpointer(db, file, { thresholdBytes: 64 * 1024 });
  writeBatch();
  checkpointer.walSize(1024);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(checkpointer.runs).toBe(0);
  checkpointer.walSize(walBytes());
  checkpointer.walSize(walBytes());
  await until(() => checkpointer!.runs === 1);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(checkpointer.runs).toBe(1);
});

test('the WAL is reused after each checkpoint instead of growing; without the worker, it grows to the backstop', async () => {
  checkpointer = startWalCheckpointer(db, file, { thresholdBytes: 256 * 1024, backstopPages: 100_000 });
  for (let i = 0; i < 40; i += 1) {
    writeBatch();
    const runs = checkpointer.runs;
    checkpointer.walSize(walBytes());
    if (walBytes() > 256 * 1024) await until(() => checkpointer!.runs > runs);
  }
  // 40 batches of ~100 KB: about 4 MB written, the WAL never much past the threshold.
  expect(walBytes()).toBeLessThan(1024 * 1024);
  expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(4000);

  await checkpointer.close();
  checkpointer = undefined;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('wal_autocheckpoint = 100000');
  for (let i = 0; i < 40; i += 1) writeBatch();
  expect(walBytes()).toBeGreaterThan(3 * 1024 * 1024);
});

test('close() stops the worker; later sizes are ignored', async () => {
  checkpointer = startWalCheckpointer(db, file, { thresholdBytes: 64 * 1024 });
  await checkpointer.close();
  writeBatch();
  checkpointer.walSize(walBytes());
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(checkpointer.runs).toBe(0);
});

test('a worker that cannot start is reported and left alone; the backstop stays', async () => {
  const errors: Error[] = [];
  checkpointer = startWalCheckpointer(db, join(dir, 'missing.sqlite'), { thresholdBytes: 64 * 1024, backstopPages: 123, onError: (e) => errors.push(e) });
  await until(() => errors.length === 1);
  writeBatch();
  checkpointer.walSize(walBytes());
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(checkpointer.runs).toBe(0);
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(123);
  await expect(checkpointer.close()).resolves.toBeUndefined();
});
