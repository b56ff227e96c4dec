import type { Statement } from 'better-sqlite3';
import type { RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from '../../domain/clock';
import type { Db } from '../platform/openDatabase';
import type { AttemptLimiter, FailResult, RateLimits } from './index';
import { memoryLimiter } from './memory';
import { createRateLimits, windowDecision, type RateLimiter } from './rateLimits';
import type { RateRuleSet } from './rateRules';

/** The SQLite limiter: synchronous, so it can take part in a caller's transaction (the OTP service's). */
export interface SqliteAttemptLimiter {
  /** When the key is locked, until when; undefined when not locked. An expired lock is cleared (failures reset). */
  lockedUntil(key: string): number | undefined;
  /** Counts one failure. The `maxAttempts`-th failure locks the key for `lockMs`; failing while locked keeps the lock. */
  fail(key: string): FailResult;
  /** Forgets the key's failures (and any lock), e.g. after a success. */
  reset(key: string): void;
}

/** The SQLite limiter behind the asynchronous port. */
export function asyncLimiter(limiter: SqliteAttemptLimiter): AttemptLimiter {
  return {
    lockedUntil: async (key) => limiter.lockedUntil(key),
    fail: async (key) => limiter.fail(key),
    reset: async (key) => limiter.reset(key),
  };
}

export interface AttemptLimiterOptions {
  db: Db;
  /** What is being limited ('otp', 'identity'…): keys of different scopes never meet. */
  scope: string;
  maxAttempts: number;
  lockMs: number;
  clock?: Clock;
}

interface LimitRow {
  failures: number;
  locked_until: number | null;
}

/** Creates the table if needed. Idempotent; safe to run for every limiter on the same database. */
export function migrateAttemptLimits(db: Db): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS attempt_limits (
      scope        TEXT    NOT NULL,
      key          TEXT    NOT NULL,
      failures     INTEGER NOT NULL DEFAULT 0,
      locked_until INTEGER,
      PRIMARY KEY (scope, key)
    )
  `);
}

/**
 * Counts failures per key within a scope and locks a key after `maxAttempts` failures.
 * Keys are stored as given: the caller passes an already-hashed key (never a card number in clear).
 */
export function createSqliteAttemptLimiter({
  db,
  scope,
  maxAttempts,
  lockMs,
  clock = Date.now,
}: AttemptLimiterOptions): SqliteAttemptLimiter {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts must be an integer >= 1');
  if (!Number.isFinite(lockMs) || lockMs <= 0) throw new RangeError('lockMs must be > 0');
  migrateAttemptLimits(db);

  const selectRow = db.prepare<[string, string], LimitRow>(
    'SELECT failures, locked_until FROM attempt_limits WHERE scope = ? AND key = ?',
  );
  const deleteRow = db.prepare<[string, string]>('DELETE FROM attempt_limits WHERE scope = ? AND key = ?');
  // Only while its lock is still the expired one read: a later failure's row (another process's) stays.
  const deleteExpiredLock = db.prepare<[string, string, number]>(
    'DELETE FROM attempt_limits WHERE scope = ? AND key = ? AND locked_until IS NOT NULL AND locked_until <= ?',
  );
  const upsertRow = db.prepare<[string, string, number, number | null]>(`
    INSERT INTO attempt_limits (scope, key, failures, locked_until) VALUES (?, ?, ?, ?)
    ON CONFLICT (scope, key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until
  `);

  /**
   * The row as it stands now, with an expired lock cleared (and its failures forgotten). A read, and
   * a write only to clear an expired lock, each one statement, atomic by itself: `lockedUntil` (asked
   * before every identity check and code) needs no transaction, a savepoint inside a group commit.
   */
  function current(key: string, now: number): LimitRow | undefined {
    const row = selectRow.get(scope, key);
    if (row && row.locked_until !== null && now >= row.locked_until) {
      deleteExpiredLock.run(scope, key, now);
      return undefined;
    }
    return row;
  }

  const lockedUntil = (key: string): number | undefined => current(key, clock())?.locked_until ?? undefined;

  const fail = db.transaction((key: string): FailResult => {
    const now = clock();
    const row = current(key, now);
    if (row && row.locked_until !== null) return { locked: true, until: row.locked_until };
    const failures = (row?.failures ?? 0) + 1;
    if (failures >= maxAttempts) {
      const until = now + lockMs;
      upsertRow.run(scope, key, failures, until);
      return { locked: true, until };
    }
    upsertRow.run(scope, key, failures, null);
    return { locked: false, attemptsLeft: maxAttempts - failures };
  });

  return {
    lockedUntil,
    fail: (key) => fail.immediate(key),
    reset: (key) => {
      deleteRow.run(scope, key);
    },
  };
}

/**
 * Counts in fixed windows in a SQLite table, in rate-limiter-flexible's `RateLimiterSQLite` format (the
 * table `key`, `points`, `expire`; keys `rlflx:<key>`), so counts kept before are read on. What differs is
 * the cost of a count: the library builds a transaction function, a savepoint and several promises around
 * its one statement on every call. Here the statement (an UPSERT … RETURNING, atomic by itself) is
 * prepared once and run as it is, and joins the group commit's transaction like any other write.
 */
export class SqliteRateLimiter implements RateLimiter {
  private readonly upsert: Statement<[string, number, number | null, number, number], { points: number; expire: number | null }>;
  private readonly deleteExpired: Statement<[number]>;
  private readonly windowMs: number;

  /** `points` allowed per `duration` seconds (0: the counts never expire), counted in `table`. */
  constructor(
    db: Db,
    table: string,
    private readonly opts: { points: number; duration: number },
    private readonly clock: Clock = Date.now,
  ) {
    if (!/^[A-Za-z0-9_]+$/.test(table)) throw new RangeError(`not a table name: ${table}`);
    this.windowMs = opts.duration * 1000;
    db.exec(`CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, points INTEGER NOT NULL DEFAULT 0, expire INTEGER)`);
    // The window a count belongs to is the one its first point opened; an ended one starts again.
    this.upsert = db.prepare(`
      INSERT INTO ${table} (key, points, expire) VALUES (?, ?, ?)
      ON CONFLICT(key) DO UPDATE SET
        points = CASE WHEN expire IS NULL OR expire > ? THEN points + excluded.points ELSE excluded.points END,
        expire = CASE WHEN expire IS NULL OR expire > ? THEN expire ELSE excluded.expire END
      RETURNING points, expire`);
    this.deleteExpired = db.prepare(`DELETE FROM ${table} WHERE expire < ?`);
  }

  /** Deletes the counts whose window has ended (the table keeps them until then). */
  sweep(): void {
    this.deleteExpired.run(this.clock());
  }

  /** Counts `points` for the key: resolves within the limit, rejects with the RateLimiterRes over it (as the library does). */
  consume(key: string | number, points = 1): Promise<RateLimiterRes> {
    const now = this.clock();
    let row: { points: number; expire: number | null };
    try {
      row = this.upsert.get(`rlflx:${key}`, points, this.windowMs > 0 ? now + this.windowMs : null, now, now)!;
    } catch (error) {
      return Promise.reject(error);
    }
    // Its first points are the count's own: the window opened with this call.
    return windowDecision(this.opts.points, { points: row.points, expiresAt: row.expire }, now, row.points === points);
  }
}

/**
 * One machine. Identity checks and code sends are counted in rebind.sqlite (one table per action
 * and scope), so a restart does not reset a card's daily allowance. Messages, counted on every turn
 * in windows of minutes, are counted in memory: a restart forgets a flood's count, and no turn pays
 * two SQLite commits for it. Expired rows are swept every few hundred consumes, in the caller's
 * turn: no timer outlives the database.
 */
export async function createSqliteRateLimits(rules: RateRuleSet, secret: Buffer, db: Db): Promise<RateLimits> {
  const counted = new Map<string, SqliteRateLimiter>();
  return createRateLimits({
    rules,
    secret,
    make: (keyPrefix, rule, action) => {
      if (action === 'messages') return memoryLimiter(keyPrefix, rule);
      const limiter = new SqliteRateLimiter(db, keyPrefix, { points: rule.points, duration: rule.windowSeconds });
      counted.set(keyPrefix, limiter);
      return limiter;
    },
    sweep: (prefix) => counted.get(prefix)?.sweep(),
  });
}
