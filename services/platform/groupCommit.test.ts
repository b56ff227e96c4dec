import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createGroupCommit, openTransactionOf, type GroupCommit } from './groupCommit';
import type { Db } from './openDatabase';
import { openGroupCommitFile, type GroupCommitFile } from '../../tests/support/groupCommitFile';

let opened: GroupCommitFile;
let file: string;
let connection: Db;
let group: GroupCommit;
let commits: number[];
let syncs: number;
/** What another connection to the file saw at each sync: committed rows only. */
let seenAtSync: number[];
let other: Db;

const countOther = () => (other.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
const nextPass = () => new Promise<void>((resolve) => setImmediate(resolve));

beforeEach(() => {
  commits = [];
  syncs = 0;
  seenAtSync = [];
  opened = openGroupCommitFile({
    onCommit: (writes) => commits.push(writes),
    sync: async (handle) => {
      syncs += 1;
      seenAtSync.push(countOther());
      await handle.datasync();
    },
  });
  ({ file, connection, group } = opened);
  connection.exec(`
    CREATE TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL,
      parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
  `);
  other = new Database(file, { readonly: true });
});

afterEach(async () => {
  // The group a test made in place of the first one, if it did (closing twice is harmless).
  await group.close();
  other.close();
  await opened.close();
});

test('writes commit together, once, when a sync is asked for; another connection sees them only then', async () => {
  const insert = group.db.prepare('INSERT INTO t (v) VALUES (?)');
  const both = group.db.transaction((a: string, b: string) => {
    insert.run(a);
    insert.run(b);
  });
  insert.run('a');
  both.immediate('b', 'c');
  group.db.prepare('UPDATE t SET v = ? WHERE v = ?').run('A', 'a');
  expect(connection.inTransaction).toBe(true);
  await nextPass();
  expect(countOther()).toBe(0);
  await group.durable();
  expect(commits).toHaveLength(1);
  expect(countOther()).toBe(3);
});

test('writes nobody waits for commit on their own, soon', async () => {
  group.db.prepare('INSERT INTO t (v) VALUES (?)').run('d');
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(commits).toEqual([1]);
  expect(countOther()).toBe(1);
  expect(syncs).toBe(0);
});

test('durable() commits what is open and then waits for a sync of the WAL that holds it', async () => {
  group.db.prepare('INSERT INTO t (v) VALUES (?)').run('a');
  await group.durable();
  expect(commits).toEqual([1]);
  expect(syncs).toBe(1);
  // The sync ran after the commit: the row was already visible to others when the disk was synced.
  expect(seenAtSync).toEqual([1]);
  expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
});

test('callers during a running sync share the next one: many turns, few syncs', async () => {
  const insert = group.db.prepare('INSERT INTO t (v) VALUES (?)');
  const waits: Array<Promise<void>> = [];
  for (let i = 0; i < 20; i += 1) {
    insert.run(String(i));
    waits.push(group.durable());
    if (i % 5 === 4) await nextPass();
  }
  await Promise.all(waits);
  expect(countOther()).toBe(20);
  expect(syncs).toBeGreaterThanOrEqual(1);
  expect(syncs).toBeLessThanOrEqual(3);
  // Every sync saw every row committed before it started; the last saw them all.
  expect(seenAtSync[seenAtSync.length - 1]).toBe(20);
});

test("a store's failed transaction undoes only its own writes; the rest commits", async () => {
  const insert = group.db.prepare('INSERT INTO t (v) VALUES (?)');
  const failing = group.db.transaction(() => {
    insert.run('lost');
    throw new Error('refused');
  });
  insert.run('kept');
  expect(() => failing.immediate()).toThrow('refused');
  insert.run('kept too');
  await group.durable();
  expect(other.prepare('SELECT v FROM t ORDER BY id').pluck().all()).toEqual(['kept', 'kept too']);
});

test('a commit that fails: durable(mark) rejects for every turn that began before it, later ones go on', async () => {
  const insert = group.db.prepare('INSERT INTO t (v, parent) VALUES (?, ?)');
  const before = group.mark();
  insert.run('ok', null);
  // A deferred foreign key is checked at COMMIT: the whole transaction is refused.
  insert.run('orphan', 42);
  await expect(group.durable(before)).rejects.toThrow('not known to be on disk');
  expect(countOther()).toBe(0);
  // A turn that began before the failed commit keeps failing, whenever it asks.
  await expect(group.durable(before)).rejects.toThrow('not known to be on disk');

  const after = group.mark();
  insert.run('next', null);
  await expect(group.durable(after)).resolves.toBeUndefined();
  expect(other.prepare('SELECT v FROM t').pluck().all()).toEqual(['next']);
});

test('a turn that began while a transaction was open is covered by it', async () => {
  const insert = group.db.prepare('INSERT INTO t (v, parent) VALUES (?, ?)');
  insert.run('first', null);
  const since = group.mark(); // a transaction is open: the turn's writes may land in it
  insert.run('orphan', 42);
  await expect(group.durable(since)).rejects.toThrow('not known to be on disk');
});

test('a failed sync fails durable(): nothing is acknowledged that may not be on disk', async () => {
  await group.close();
  group = createGroupCommit(connection, file, {
    sync: async () => {
      throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    },
  });
  group.db.prepare('INSERT INTO t (v) VALUES (?)').run('a');
  await expect(group.durable()).rejects.toMatchObject({
    message: expect.stringContaining('not known to be on disk'),
    cause: expect.objectContaining({ code: 'EIO' }),
  });
});

test('chained statement settings keep joining the open transaction', async () => {
  const insert = group.db.prepare('INSERT INTO t (v) VALUES (?)').bind('bound');
  insert.run();
  expect(connection.inTransaction).toBe(true);
  await group.durable();
  expect(commits).toEqual([1]);
  // Readers are the connection's own statements: reading never opens a transaction.
  expect(group.db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1);
  expect(connection.inTransaction).toBe(false);
});

test('close() commits what is open', async () => {
  group.db.prepare('INSERT INTO t (v) VALUES (?)').run('a');
  await group.close();
  expect(countOther()).toBe(1);
});

test('what durable() acknowledged survives the process being killed at once', async () => {
  // A child writes, awaits durable(), says so, and is killed (SIGKILL) before anything else.
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `
      const { openDatabase } = require(${JSON.stringify(join(__dirname, 'openDatabase.ts'))});
      const { createGroupCommit } = require(${JSON.stringify(join(__dirname, 'groupCommit.ts'))});
      const file = ${JSON.stringify(file)};
      const group = createGroupCommit(openDatabase(file), file);
      group.db.prepare('INSERT INTO t (v) VALUES (?)').run('acknowledged');
      group.durable().then(() => process.stdout.write('durable\\n'));
      setInterval(() => {}, 1000);
      `,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('durable')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before durable`)));
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  expect(other.prepare('SELECT v FROM t').pluck().all()).toEqual(['acknowledged']);
}, 30_000);

test('an INSERT … RETURNING read with get() joins the open transaction; the same SQL is prepared once', async () => {
  const sql = 'INSERT INTO t (v) VALUES (?) RETURNING id';
  expect(group.db.prepare(sql)).toBe(group.db.prepare(sql));
  const row = group.db.prepare(sql).get('returned') as { id: number };
  expect(row.id).toBe(1);
  expect(connection.inTransaction).toBe(true);
  expect(countOther()).toBe(0);
  await group.durable();
  expect(commits).toHaveLength(1);
  expect(countOther()).toBe(1);
});

describe('openTransactionOf: what a store keeps for the commit', () => {
  test('beforeCommit runs once per key, the last one given, inside the transaction, just before it commits', async () => {
    const insert = group.db.prepare('INSERT INTO t (v) VALUES (?)');
    const tx = openTransactionOf(group.db)!;
    expect(tx).toMatchObject({ nested: false });
    // Opening the transaction is not a write of its own: the store's statements count themselves.
    insert.run('row');
    const ran: string[] = [];
    tx.beforeCommit('summary', () => ran.push('first'));
    tx.beforeCommit('summary', () => {
      ran.push('second');
      // Still inside the transaction: another connection sees this row with the others, at once.
      expect(countOther()).toBe(0);
      insert.run('summary');
    });
    expect(openTransactionOf(group.db)?.generation).toBe(tx.generation);
    await group.durable();
    expect(ran).toEqual(['second']);
    // What joined: the row (opening the transaction is not a write, nor is what beforeCommit writes).
    expect(commits).toEqual([1]);
    expect(other.prepare('SELECT v FROM t ORDER BY id').pluck().all()).toEqual(['row', 'summary']);
    // The next transaction is another one; what was given for the last one does not run again.
    const next = openTransactionOf(group.db)!;
    expect(next.generation).toBeGreaterThan(tx.generation);
    insert.run('later');
    await group.durable();
    expect(ran).toEqual(['second']);
  });

  test('afterCommit runs once per key, the last one given, once the transaction has committed', async () => {
    const insert = group.db.prepare('INSERT INTO t (v) VALUES (?)');
    insert.run('row');
    const tx = openTransactionOf(group.db)!;
    const noted: Array<[string, number]> = [];
    tx.afterCommit('etag:a', () => noted.push(['first', countOther()]));
    tx.afterCommit('etag:a', () => noted.push(['a', countOther()]));
    tx.afterCommit('etag:b', () => noted.push(['b', countOther()]));
    expect(noted).toEqual([]);
    await group.durable();
    // After the commit: another connection already sees the row.
    expect(noted).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    insert.run('later');
    await group.durable();
    expect(noted).toHaveLength(2);
  });

  test('a beforeCommit that throws fails the commit: everything the transaction held is lost, and no afterCommit runs', async () => {
    const insert = group.db.prepare('INSERT INTO t (v) VALUES (?)');
    const before = group.mark();
    insert.run('lost');
    const noted: string[] = [];
    openTransactionOf(group.db)!.afterCommit('etag', () => noted.push('committed'));
    openTransactionOf(group.db)!.beforeCommit('summary', () => {
      insert.run('lost too');
      throw new Error('disk full');
    });
    await expect(group.durable(before)).rejects.toThrow('not known to be on disk');
    expect(countOther()).toBe(0);
    expect(connection.inTransaction).toBe(false);
    expect(noted).toEqual([]);
  });

  test('inside a transaction function it says so: its savepoint may yet be undone', () => {
    let inside: ReturnType<typeof openTransactionOf>;
    group.db.transaction(() => {
      inside = openTransactionOf(group.db);
    })();
    expect(inside).toMatchObject({ nested: true });
    expect(openTransactionOf(group.db)).toMatchObject({ nested: false, generation: inside!.generation });
  });

  test('a db that is not a group commit’s has none', () => {
    expect(openTransactionOf(connection)).toBeUndefined();
  });
});
