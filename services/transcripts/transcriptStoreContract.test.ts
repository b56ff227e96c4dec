import { redisForTests, uniquePrefix } from '../../tests/support/redis';
import { createRedisTranscriptStore } from './redis';
import { dumpKeys } from '../../tests/support/dumpKeys';
import { openDatabase } from '../platform/openDatabase';
import { createSqliteTranscriptStore } from './sqlite';
import { MAX_LINE_CHARS, type TranscriptStore } from './index';

const redis = redisForTests();

/** A fresh store and what it holds, as someone reading the database or Redis would see it. */
type Open = (clock: () => number) => { s: TranscriptStore; raw(): Promise<string> };

// The same cases on every implementation.
const stores: Array<[string, Open]> = [
  [
    'SQLite',
    (clock) => {
      const db = openDatabase(':memory:');
      return {
        s: createSqliteTranscriptStore({ db, clock }),
        raw: async () => JSON.stringify(db.prepare('SELECT * FROM transcript_lines').all()),
      };
    },
  ],
  [
    'Redis',
    (clock) => {
      const prefix = uniquePrefix('transcripts');
      return { s: createRedisTranscriptStore({ redis, prefix, clock }), raw: () => dumpKeys(redis, prefix) };
    },
  ],
];

describe.each(stores)('transcript store (%s)', (_name, open) => {
  function store() {
    let now = 1000;
    return open(() => now++);
  }

  test('keeps lines per conversation, oldest first, masked before they are written', async () => {
    const { s, raw: rawOf } = store();
    await s.append('test/a', [
      { from: 'customer', text: '卡号 6222021234567890128，手机 13800138000' },
      { from: 'bot', text: '请输入验证码' },
      { from: 'customer', text: '123456' },
    ]);
    await s.append('test/b', [{ from: 'customer', text: 'hello' }]);
    expect(await s.recent('test/a')).toEqual([
      { at: 1000, from: 'customer', text: '卡号 6222 **** **** 0128，手机 138****8000' },
      { at: 1001, from: 'bot', text: '请输入验证码' },
      { at: 1002, from: 'customer', text: '******' },
    ]);
    const raw = await rawOf();
    expect(raw).not.toContain('6222021234567890128');
    expect(raw).not.toContain('123456');
    expect((await s.recent('test/a', 2)).map((l) => l.from)).toEqual(['bot', 'customer']);
  });

  test('cuts very long lines and forgets a conversation on request', async () => {
    const { s } = store();
    await s.append('c', [{ from: 'customer', text: 'x'.repeat(100_000) }]);
    expect((await s.recent('c'))[0]?.text.length).toBe(MAX_LINE_CHARS + 1);
    expect(await s.forget('c')).toBe(1);
    expect(await s.recent('c')).toEqual([]);
    await s.append('c', []);
    expect(await s.recent('c')).toEqual([]);
  });

  test('keeps a given time, and reads nothing for a limit of 0 and everything for a negative one', async () => {
    const { s } = store();
    await s.append('c', [
      { from: 'agent', text: 'one', at: 5 },
      { from: 'customer', text: 'two' },
    ]);
    expect(await s.recent('c')).toEqual([
      { at: 5, from: 'agent', text: 'one' },
      { at: 1000, from: 'customer', text: 'two' },
    ]);
    expect(await s.recent('c', 0)).toEqual([]);
    expect(await s.recent('c', -1)).toHaveLength(2);
    expect(await s.forget('nobody')).toBe(0);
  });

  test('retention: purgeOlderThan deletes the lines said before the cutoff, in every conversation, and keeps the rest in order', async () => {
    let now = 10_000;
    const { s, raw } = open(() => now);
    await s.append('web/a|1', [
      { from: 'customer', text: 'old one' },
      { from: 'bot', text: 'old two' },
    ]);
    await s.append('web/b', [{ from: 'customer', text: 'old three' }]);
    now = 20_000;
    await s.append('web/a|1', [
      { from: 'customer', text: 'new one' },
      // A line may bring its own time, out of order: it is judged by its own time.
      { from: 'agent', text: 'late but old', at: 9_000 },
      { from: 'agent', text: 'exactly at the cutoff', at: 15_000 },
    ]);
    await s.append('web/c', [{ from: 'customer', text: 'new two' }]);

    expect(await s.purgeOlderThan(15_000)).toBe(4);
    expect(await s.recent('web/a|1')).toEqual([
      { at: 20_000, from: 'customer', text: 'new one' },
      { at: 15_000, from: 'agent', text: 'exactly at the cutoff' },
    ]);
    expect(await s.recent('web/b')).toEqual([]);
    expect(await s.recent('web/c')).toEqual([{ at: 20_000, from: 'customer', text: 'new two' }]);
    expect(await raw()).not.toContain('old');
    // Nothing left to delete; the store goes on working.
    expect(await s.purgeOlderThan(15_000)).toBe(0);
    await s.append('web/b', [{ from: 'bot', text: 'again' }]);
    expect((await s.recent('web/b')).map((l) => l.text)).toEqual(['again']);
  });

  test('a long append keeps every line, in order', async () => {
    const { s } = store();
    const lines = Array.from({ length: 40 }, (_, i) => ({ from: i % 2 ? ('bot' as const) : ('customer' as const), text: `line ${i}` }));
    await s.append('c', lines);
    expect((await s.recent('c', 100)).map((l) => l.text)).toEqual(lines.map((l) => l.text));
  });

  test('retention: a cutoff that is not a time is refused, nothing deleted', async () => {
    const { s } = store();
    await s.append('c', [{ from: 'customer', text: 'hello' }]);
    await expect(s.purgeOlderThan(Number.NaN)).rejects.toThrow(RangeError);
    expect(await s.recent('c')).toHaveLength(1);
  });
});

describe('transcript store (SQLite): an append is all or nothing', () => {
  // A sender outside the vocabulary (a caller's bug) is refused by the table's CHECK.
  const bad = { from: 'robot' as unknown as 'bot', text: 'refused' };

  test.each([
    ['a few lines (one statement)', 2],
    ['more lines than one statement takes (a transaction)', 40],
  ])('%s: a refused line leaves none of its append', async (_name, count) => {
    const db = openDatabase(':memory:');
    const s = createSqliteTranscriptStore({ db });
    const lines = Array.from({ length: count }, (_, i) => ({ from: 'customer' as const, text: `line ${i}` }));
    // Matched by SQLite's code: better-sqlite3's error class may come from another realm than jest's Error.
    await expect(s.append('c', [...lines, bad])).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_CHECK' });
    expect(await s.recent('c', 100)).toEqual([]);
    await s.append('c', lines);
    expect(await s.recent('c', 100)).toHaveLength(count);
  });
});
