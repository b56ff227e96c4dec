import type { Statement, Transaction } from 'better-sqlite3';
import { createCommitBarrier, type CommitBarrierOptions } from './commitBarrier';
import type { Db } from './openDatabase';

/**
 * Group commit: one SQLite transaction for the writes made between two syncs of the disk, and one
 * sync for every turn that finished meanwhile.
 *
 * A turn writes its state, two transcript lines, an audit record, a funnel step, codes and counts:
 * as many commits, each with its own BEGIN, WAL frames and index pages. Here the first write opens
 * `BEGIN IMMEDIATE` and every later write joins it (a store's own transaction becomes a savepoint
 * inside it, so a store's failure still undoes only its own writes). Whoever is about to let something
 * leave the process awaits `durable()`: the open transaction commits when the next sync of the WAL
 * starts, and the sync (commitBarrier.ts, on libuv's thread pool) covers it. Callers that come while a
 * sync runs share the next commit and the next sync. Writes nobody waits for (a funnel step, a queue
 * event) commit on their own within `idleCommitMs`.
 *
 * Nothing is acknowledged before it is committed and synced, so the guarantee is the one of a commit
 * per write at `synchronous = FULL`: a reply is sent only after every write before it is on disk.
 * What changes is only that writes of turns running together commit together. A commit that fails
 * (disk full, I/O error) loses all it held: every `durable(mark)` whose `mark` comes before it
 * rejects, so no turn that wrote there answers as if it had.
 *
 * `db` is the file's connection to hand to the stores: the same connection, whose statements' `run`
 * and transactions first join the open transaction.
 */
export interface GroupCommit {
  db: Db;
  /** A point in the write history: `durable(mark)` fails if a write after it was lost. */
  mark(): number;
  /**
   * Resolves when every write made so far is committed and on disk. Rejects when a transaction committed
   * after `since` (a `mark()`) failed: the caller's writes may be among the lost.
   */
  durable(since?: number): Promise<void>;
  /** Commits what is open, syncs, and lets go of the WAL file (the connection stays the caller's). */
  close(): Promise<void>;
}

/**
 * The group commit's open transaction, as a store sees it (`openTransactionOf`): a store that must
 * keep something beside its rows (the audit chain's head) can keep it in memory while this one
 * transaction is open, and write it once, just before the commit.
 */
export interface OpenTransaction {
  /** Which transaction this is: a store's memory of it holds while this is still the open one. */
  readonly generation: number;
  /**
   * Called from inside a transaction function: its savepoint may yet be undone, and with it what a
   * store wrote there, but not what the store kept in memory. Such a store writes everything as it goes.
   */
  readonly nested: boolean;
  /**
   * Runs `write` (once per `key`, the last one given) just before this transaction commits, inside
   * it. If it throws, the commit fails, and everything the transaction held is lost with it.
   */
  beforeCommit(key: string, write: () => void): void;
  /**
   * Runs `note` (once per `key`, the last one given) once this transaction has committed; never if it
   * fails. For what a store may remember only about committed rows (the state store's eTags).
   */
  afterCommit(key: string, note: () => void): void;
}

/** The group commit behind each db it handed out (see `openTransactionOf`). */
const openTransactions = new WeakMap<Db, () => OpenTransaction | undefined>();

/**
 * Joins (or opens) the open transaction of a group commit's `db`, for a store that writes one
 * statement at a time there and keeps the rest for `beforeCommit`. Undefined when `db` is not a group
 * commit's, or inside a transaction someone else opened (a migration): the store then writes
 * everything as it goes.
 */
export function openTransactionOf(db: Db): OpenTransaction | undefined {
  return openTransactions.get(db)?.();
}

export interface GroupCommitOptions extends Omit<CommitBarrierOptions, 'beforeSync'> {
  /** Told once per commit: how many statements and transactions joined it, before `beforeCommit` (tests). */
  onCommit?: (writes: number) => void;
  /** Writes nobody awaits commit at the latest this long after the first of them. 10 ms by default. */
  idleCommitMs?: number;
}

function lostWrite(cause: unknown): never {
  throw new Error('a write is not known to be on disk: its commit or its sync failed', { cause });
}

/** The statement methods that may write: each first joins the open transaction. */
const WRITES = new Set<PropertyKey>(['run', 'get', 'all', 'iterate']);

type Method = (...args: unknown[]) => unknown;

/** `target` with each of its methods replaced by `wrap(method)`, made at the first use and kept; other properties read through. */
function withWrappedMethods<T extends object>(target: T, wrap: (method: Method, property: PropertyKey) => unknown): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(t, property) {
      const known = wrapped.get(property);
      if (known !== undefined) return known;
      const value = Reflect.get(t, property, t) as unknown;
      if (typeof value !== 'function') return value;
      const method = wrap(value as Method, property);
      wrapped.set(property, method);
      return method;
    },
  });
}

export function createGroupCommit(db: Db, file: string, options: GroupCommitOptions = {}): GroupCommit {
  const idleCommitMs = options.idleCommitMs ?? 10;
  // Each sync commits what is open first: that commit is what the sync makes durable.
  const barrier = createCommitBarrier(db, file, {
    ...options,
    beforeSync: () => {
      const failed = commit();
      if (failed !== undefined) throw failed;
    },
  });
  /** The open transaction's number: incremented each time one opens. */
  let generation = 0;
  let open:
    | {
        generation: number;
        writes: number;
        timer: NodeJS.Timeout;
        beforeCommit?: Map<string, () => void>;
        afterCommit?: Map<string, () => void>;
      }
    | undefined;
  /** Transaction functions running now: their savepoints may yet be undone. */
  let nested = 0;
  /** Transactions lost, by generation, and why (kept short: only the newest matter to callers). */
  const lost: Array<{ generation: number; error: unknown }> = [];

  function fail(generationLost: number, error: unknown): unknown {
    lost.push({ generation: generationLost, error });
    if (lost.length > 100) lost.shift();
    return error;
  }

  /** Commits the open transaction; returns why it could not, if it could not (its writes are lost). */
  function commit(): unknown {
    const tx = open;
    if (!tx) return undefined;
    open = undefined;
    clearTimeout(tx.timer);
    if (!db.inTransaction) {
      // SQLite rolled the whole transaction back by itself (an I/O error, a full disk).
      return fail(tx.generation, new Error('the open transaction was rolled back by SQLite'));
    }
    try {
      // The transaction is no longer open to others: what these write is part of it all the same.
      if (tx.beforeCommit) for (const write of tx.beforeCommit.values()) write();
      db.exec('COMMIT');
      options.onCommit?.(tx.writes);
      if (tx.afterCommit) for (const note of tx.afterCommit.values()) note();
      return undefined;
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      return fail(tx.generation, error);
    }
  }

  /** Joins the open transaction, or opens one; `writes` counts what joined (for `onCommit`). */
  function join(writes = 1): void {
    if (open && db.inTransaction) {
      open.writes += writes;
      return;
    }
    // One we opened whose transaction is gone was rolled back by SQLite: recorded as lost.
    if (open) commit();
    // Inside someone's explicit transaction (a migration at start-up): theirs commits it.
    if (db.inTransaction) return;
    db.exec('BEGIN IMMEDIATE');
    generation += 1;
    // Committed by the next sync; if nobody asks for one, soon anyway.
    open = { generation, writes, timer: setTimeout(commit, idleCommitMs) };
  }

  /**
   * Statements by their SQL: a library that prepares the same statement on every call (the rate
   * limiter does) gets the one prepared before. Statements are synchronous, so sharing is safe.
   */
  const prepared = new Map<string, Statement>();
  const PREPARED_MAX = 500;

  function prepare(source: string): Statement {
    const known = prepared.get(source);
    if (known) return known;
    const statement = joining(db.prepare(source), source);
    if (prepared.size < PREPARED_MAX) prepared.set(source, statement);
    return statement;
  }

  function joining(statement: Statement, source: string): Statement {
    // A plain query never writes; an INSERT … RETURNING is a "reader" that does.
    if (statement.reader && !/\breturning\b/i.test(source)) return statement;
    // The statement's methods, wrapped once each (a write runs on every turn: no closure per call).
    const proxy: Statement = withWrappedMethods(statement, (method, property) =>
      WRITES.has(property)
        ? (...params: unknown[]) => {
            join();
            return method.apply(statement, params);
          }
        : // Chained settings (bind, pluck, raw…) return the statement: keep returning the proxy.
          (...args: unknown[]) => {
            const result = method.apply(statement, args);
            return result === statement ? proxy : result;
          },
    );
    return proxy;
  }

  function joiningTransaction<F extends (...args: never[]) => unknown>(tx: Transaction<F>): Transaction<F> {
    // Inside the open transaction every variant is a savepoint; the transaction itself is IMMEDIATE.
    const run = (...args: unknown[]) => {
      join();
      nested += 1;
      try {
        return (tx as unknown as (...a: unknown[]) => unknown)(...args);
      } finally {
        nested -= 1;
      }
    };
    return Object.assign(run, { default: run, deferred: run, immediate: run, exclusive: run }) as unknown as Transaction<F>;
  }

  const transaction = <F extends (...args: never[]) => unknown>(fn: F) => joiningTransaction(db.transaction(fn));
  const batched = withWrappedMethods(db, (method, property) =>
    property === 'prepare' ? prepare : property === 'transaction' ? transaction : method.bind(db),
  );
  openTransactions.set(batched, () => {
    // The store's statements count themselves as they join.
    join(0);
    const tx = open;
    // Someone's explicit transaction (a migration at start-up), not ours.
    if (!tx) return undefined;
    return {
      generation: tx.generation,
      nested: nested > 0,
      beforeCommit(key, write) {
        (tx.beforeCommit ??= new Map()).set(key, write);
      },
      afterCommit(key, note) {
        (tx.afterCommit ??= new Map()).set(key, note);
      },
    };
  });

  return {
    db: batched,
    // A transaction open now may still take the caller's writes: the mark is the one before it.
    mark: () => (open ? open.generation - 1 : generation),
    async durable(since) {
      // The sync commits what is open before it starts; a commit that fails fails the sync.
      await barrier.durable().catch(lostWrite);
      if (since !== undefined) {
        const failed = lost.find((l) => l.generation > since);
        if (failed) lostWrite(failed.error);
      }
    },
    async close() {
      commit();
      await barrier.close();
    },
  };
}
