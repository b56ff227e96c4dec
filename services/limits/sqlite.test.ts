import { openDatabase, type Db } from '../platform/openDatabase';
import { rateRulesFrom } from './rateRules';
import { RateLimiterRes, RateLimiterSQLite } from 'rate-limiter-flexible';
import { createSqliteRateLimits, SqliteRateLimiter } from './sqlite';

// The rate-limit contract runs on SQLite in rateLimitsContract.test.ts. Here: how SQLite keeps the counts.

const SECRET = Buffer.alloc(32, 7);

const settings = (s: { messages?: string; identity?: string; codes?: string }) =>
  rateRulesFrom({ messages: s.messages ?? 'off', identity: s.identity ?? 'off', codes: s.codes ?? 'off' });

test('SQLite: expired counts are swept as limits are used, with no timer left behind', async () => {
  const db: Db = openDatabase(':memory:');
  try {
    const limits = await createSqliteRateLimits(settings({ codes: 'conversation:5/1s' }), SECRET, db);
    await limits.consume('codes', { conversation: 'old' });
    const rows = () => (db.prepare('SELECT COUNT(*) AS n FROM rl_codes_conversation').get() as { n: number }).n;
    expect(rows()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    for (let i = 0; i < 499; i++) await limits.consume('codes', { conversation: 'busy' });
    // The 500th consume swept the expired row of 'old'; 'busy' is live.
    expect(rows()).toBe(1);
  } finally {
    db.close();
  }
});

test('SQLite: message counts stay in memory (a turn pays no commit for them); checks and codes are in the database', async () => {
  const db: Db = openDatabase(':memory:');
  try {
    const all = { messages: 'conversation:5/1m', identity: 'card:5/1h', codes: 'card:5/1h' };
    await createSqliteRateLimits(settings(all), SECRET, db);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>)
      .map((t) => t.name)
      .sort();
    expect(tables).toEqual(['rl_codes_card', 'rl_identity_card']);
  } finally {
    db.close();
  }
});

describe('SqliteRateLimiter', () => {
  test('goes on counting what rate-limiter-flexible counted in the same table (the format kept)', async () => {
    const db: Db = openDatabase(':memory:');
    try {
      const options = { storeClient: db, storeType: 'better-sqlite3', tableName: 'rl_t', points: 3, duration: 60, clearExpiredByTimeout: false };
      // The library creates its table, then calls back.
      const library = await new Promise<RateLimiterSQLite>((resolve, reject) => {
        const made: RateLimiterSQLite = new RateLimiterSQLite(options, (err?: Error) => (err ? reject(err) : resolve(made)));
      });
      await library.consume('k');
      await library.consume('k');
      const ours = new SqliteRateLimiter(db, 'rl_t', { points: 3, duration: 60 });
      const third = await ours.consume('k');
      expect(third).toMatchObject({ consumedPoints: 3, remainingPoints: 0, isFirstInDuration: false });
      await expect(ours.consume('k')).rejects.toBeInstanceOf(RateLimiterRes);
      // And the other way round: the library reads what ours counted.
      await expect(library.consume('k')).rejects.toMatchObject({ consumedPoints: 5 });
    } finally {
      db.close();
    }
  });

  test('counts in fixed windows: the first point opens the window, an ended window starts again', async () => {
    const db: Db = openDatabase(':memory:');
    try {
      let now = 1_000_000;
      const limiter = new SqliteRateLimiter(db, 'rl_w', { points: 2, duration: 10 }, () => now);
      expect(await limiter.consume('a')).toMatchObject({ consumedPoints: 1, remainingPoints: 1, msBeforeNext: 10_000, isFirstInDuration: true });
      now += 4_000;
      expect(await limiter.consume('a')).toMatchObject({ consumedPoints: 2, remainingPoints: 0, msBeforeNext: 6_000 });
      await expect(limiter.consume('a')).rejects.toMatchObject({ consumedPoints: 3, msBeforeNext: 6_000 });
      // Another key has its own window.
      expect(await limiter.consume('b')).toMatchObject({ consumedPoints: 1 });
      now += 6_000;
      expect(await limiter.consume('a')).toMatchObject({ consumedPoints: 1, msBeforeNext: 10_000, isFirstInDuration: true });
    } finally {
      db.close();
    }
  });

  test('sweep deletes the counts whose window has ended, and only those', async () => {
    const db: Db = openDatabase(':memory:');
    try {
      let now = 1_000_000;
      const limiter = new SqliteRateLimiter(db, 'rl_s', { points: 2, duration: 10 }, () => now);
      await limiter.consume('old');
      now += 6_000;
      await limiter.consume('new');
      now += 5_000; // 'old' ended at 10 s, 'new' ends at 16 s
      limiter.sweep();
      expect(db.prepare('SELECT key FROM rl_s').pluck().all()).toEqual(['rlflx:new']);
    } finally {
      db.close();
    }
  });

  test('a count the database cannot write rejects with its error, not as a refusal; a bad table name is refused', async () => {
    const db: Db = openDatabase(':memory:');
    const limiter = new SqliteRateLimiter(db, 'rl_x', { points: 2, duration: 10 });
    db.exec('DROP TABLE rl_x');
    const error = await limiter.consume('a').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(RateLimiterRes);
    expect(error).toMatchObject({ code: 'SQLITE_ERROR' });
    expect(() => new SqliteRateLimiter(db, 'rl; DROP TABLE x', { points: 1, duration: 1 })).toThrow(RangeError);
    db.close();
  });
});
