import type { Statement, Transaction } from 'better-sqlite3';
import { createCommitBarrier, type CommitBarrierOptions } from './commitBarrier';
import type { Db } from './openDatabase';

/**
 * One SQLite transaction for every write made in one pass of the event loop, and one sync of the
 * disk for the passes that finished together.
 *
 * A turn writes its state, two transcript lines, an audit record, a funnel step, codes and counts:
 * as many commits, each with its own BEGIN, WAL frames and index pages. Here the first write of a pass
 * opens `BEGIN IMMEDIATE`; every write of the pass joins it (a store's own transaction becomes a
 * savepoint inside it, so a store's failure still undoes only its own writes) and the pass commits
 * once, in `setImmediate`. Whoever is about to let something leave the process awaits `durable()`:
 * it waits for the open pass to commit, then for the shared sync (commitBarrier.ts).
 *
 * Nothing is acknowledged before it is committed and synced, so the guarantee is the one of a commit
 * per write at `synchronous = FULL`: a reply is sent only after every write before it is on disk.
 * What changes is only that writes of turns running together commit together. A commit that fails
 * (disk full, I/O error) loses the whole pass: every `durable(mark)` whose `mark` comes before it
 * rejects, so no turn that wrote in that pass answers as if it had.
 *
 * `db` is the file's connection to hand to the stores: the same connection, whose statements' `run`
 * and transactions first join the pass.
 */
export interface GroupCommit {
  db: Db;
  /** A point in the write history: `durable(mark)` fails if a write after it was lost. */
  mark(): number;
  /**
   * Resolves when every write made so far is committed and on disk. Rejects when a pass committed
   * after `since` (a `mark()`) failed: the caller's writes may be among the lost.
   */
  durable(since?: number): Promise<void>;
  /** Commits what is open, syncs, and lets go of the WAL file (the connection stays the caller's). */
  close(): Promise<void>;
}

export interface GroupCommitOptions extends CommitBarrierOptions {
  /** Told once per pass that committed: how many statements and transactions joined it (tests). */
  onCommit?: (writes: number) => void;
}

function lostWrite(cause: unknown): never {
  throw new Error('a write was lost: its commit failed', { cause });
}

export function createGroupCommit(db: Db, file: string, options: GroupCommitOptions = {}): GroupCommit {
  const barrier = createCommitBarrier(db, file, options);
  /** The pass's number: incremented each time a pass opens. */
  let generation = 0;
  let open: { generation: number; writes: number; committed: Promise<void>; settle: (error?: unknown) => void } | undefined;
  /** Passes lost, by generation, and why (kept short: only the newest matter to callers). */
  const lost: Array<{ generation: number; error: unknown }> = [];

  function fail(pass: NonNullable<typeof open>, error: unknown): void {
    lost.push({ generation: pass.generation, error });
    if (lost.length > 100) lost.shift();
    pass.settle(error);
  }

  function commit(): void {
    const pass = open;
    if (!pass) return;
    open = undefined;
    if (!db.inTransaction) {
      // SQLite rolled the whole transaction back by itself (an I/O error, a full disk).
      fail(pass, new Error('the writes of this pass were rolled back by SQLite'));
      return;
    }
    try {
      db.exec('COMMIT');
      options.onCommit?.(pass.writes);
      pass.settle();
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      fail(pass, error);
    }
  }

  function join(): void {
    if (open && db.inTransaction) {
      open.writes += 1;
      return;
    }
    // A pass we opened whose transaction is gone was rolled back by SQLite mid-pass.
    if (open) commit();
    // Inside someone's explicit transaction (a migration at start-up): theirs commits it.
    if (db.inTransaction) return;
    db.exec('BEGIN IMMEDIATE');
    generation += 1;
    let settle!: (error?: unknown) => void;
    const committed = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error as Error));
    });
    // Nobody may be waiting: a rejection is seen through durable(), never as an unhandled one.
    committed.catch(() => undefined);
    open = { generation, writes: 1, committed, settle };
    setImmediate(commit);
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
    const proxy: Statement = new Proxy(statement, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (typeof value !== 'function') return value;
        if (property === 'run' || property === 'get' || property === 'all' || property === 'iterate') {
          return (...params: unknown[]) => {
            join();
            return (value as (...a: unknown[]) => unknown).apply(target, params);
          };
        }
        // Chained settings (bind, pluck, raw…) return the statement: keep returning the proxy.
        return (...args: unknown[]) => {
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          return result === target ? proxy : result;
        };
      },
    });
    return proxy;
  }

  function joiningTransaction<F extends (...args: never[]) => unknown>(tx: Transaction<F>): Transaction<F> {
    // Inside the pass's transaction every variant is a savepoint; the pass itself is IMMEDIATE.
    const run = (...args: unknown[]) => {
      join();
      return (tx as unknown as (...a: unknown[]) => unknown)(...args);
    };
    return Object.assign(run, { default: run, deferred: run, immediate: run, exclusive: run }) as unknown as Transaction<F>;
  }

  const batched = new Proxy(db, {
    get(target, property) {
      if (property === 'prepare') return prepare;
      if (property === 'transaction') {
        return <F extends (...args: never[]) => unknown>(fn: F) => joiningTransaction(target.transaction(fn));
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });

  return {
    db: batched,
    // A pass open now may still take the caller's writes: the mark is the one before it.
    mark: () => (open ? open.generation - 1 : generation),
    async durable(since) {
      // The open pass holds writes made so far: if its commit fails, they are lost.
      if (open) await open.committed.catch(lostWrite);
      if (since !== undefined) {
        const failed = lost.find((l) => l.generation > since);
        if (failed) lostWrite(failed.error);
      }
      await barrier.durable();
    },
    async close() {
      commit();
      await barrier.close();
    },
  };
}
