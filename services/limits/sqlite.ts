import type { Statement } from 'better-sqlite3';
import { RateLimiterSQLite } from 'rate-limiter-flexible';
import type { Clock } from '../../domain/clock';
import type { Db } from '../platform/openDatabase';
import type { AttemptLimiter, FailResult, RateLimits } from './index';
import { memoryLimiter } from './memory';
import { createRateLimits } from './rateLimits';
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
  const upsertRow = db.prepare<[string, string, number, number | null]>(`
    INSERT INTO attempt_limits (scope, key, failures, locked_until) VALUES (?, ?, ?, ?)
    ON CONFLICT (scope, key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until
  `);

  /** The row as it stands now, with an expired lock cleared (and its failures forgotten). */
  function current(key: string, now: number): LimitRow | undefined {
    const row = selectRow.get(scope, key);
    if (row && row.locked_until !== null && now >= row.locked_until) {
      deleteRow.run(scope, key);
      return undefined;
    }
    return row;
  }

  const lockedUntil = db.transaction((key: string): number | undefined => {
    const row = current(key, clock());
    return row?.locked_until ?? undefined;
  });

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
    lockedUntil: (key) => lockedUntil.immediate(key),
    fail: (key) => fail.immediate(key),
    reset: (key) => {
      deleteRow.run(scope, key);
    },
  };
}

/**
 * One machine. Identity checks and code sends are counted in rebind.sqlite (one table per action
 * and scope), so a restart does not reset a card's daily allowance. Messages, counted on every turn
 * in windows of minutes, are counted in memory: a restart forgets a flood's count, and no turn pays
 * two SQLite commits for it. Expired rows are swept every few hundred consumes, in the caller's
 * turn: no timer outlives the database (the library's own sweep timer would fire on a closed one).
 */
export async function createSqliteRateLimits(rules: RateRuleSet, secret: Buffer, db: Db): Promise<RateLimits> {
  const ready: Promise<void>[] = [];
  // The sweep of each table in SQLite, prepared once.
  const sweeps = new Map<string, Statement<[number]>>();
  const limits = createRateLimits({
    rules,
    secret,
    make: (keyPrefix, rule, action) => {
      if (action === 'messages') return memoryLimiter(keyPrefix, rule);
      let limiter!: RateLimiterSQLite;
      ready.push(
        new Promise<void>((resolve, reject) => {
          limiter = new RateLimiterSQLite(
            {
              storeClient: db,
              storeType: 'better-sqlite3',
              tableName: keyPrefix,
              points: rule.points,
              duration: rule.windowSeconds,
              clearExpiredByTimeout: false,
            },
            (err?: Error) => {
              if (err) return reject(err);
              // The library's table is there now: key, points, expire (ms since the epoch).
              sweeps.set(keyPrefix, db.prepare<[number]>(`DELETE FROM ${keyPrefix} WHERE expire < ?`));
              resolve();
            },
          );
        }),
      );
      return limiter;
    },
    sweep: (prefix) => void sweeps.get(prefix)?.run(Date.now()),
  });
  await Promise.all(ready);
  return limits;
}
