import { constants, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Db } from './openDatabase';

/**
 * Group commit for a SQLite file in WAL mode.
 *
 * With `synchronous = FULL` every commit waits for the disk on the event loop: the whole process
 * stands still for each of a turn's writes. Here the database runs at `synchronous = NORMAL` (a
 * commit reaches the operating system, not yet the disk) and whoever is about to let something
 * leave the process (a reply, a text message) first awaits `durable()`: one `fdatasync` of the WAL
 * file, on libuv's thread pool, for every commit made before it started. The turns that finished
 * together share that one sync, the event loop goes on meanwhile, and nothing is sent before what
 * led to it is on disk, as with FULL. A checkpoint still syncs the WAL before copying it into the
 * database (SQLite's own rule at NORMAL), so a synced WAL is never lost.
 *
 * `durable()` resolves when every commit made before the call is on disk. A call made while a sync
 * is running waits for the next one (its commits may have come after the running sync began); every
 * call waiting for that next sync shares it.
 */
export interface CommitBarrier {
  durable(): Promise<void>;
  /** Syncs what is left and lets go of the file. */
  close(): Promise<void>;
}

/** For stores that are not a local SQLite file (Redis, memory): nothing to wait for. */
export const noCommitBarrier: CommitBarrier = {
  durable: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

export interface CommitBarrierOptions {
  /** How a sync is done: tests count or fail syncs. `fdatasync` of the file by default. */
  sync?: (handle: FileHandle) => Promise<void>;
  /**
   * Run just before each sync starts (group commit: the open transaction is committed there, so the
   * sync covers it). An error it throws fails that sync's callers.
   */
  beforeSync?: () => void;
}

/**
 * Puts `db` (opened from `file`, in WAL mode) at `synchronous = NORMAL` and returns its barrier.
 * The WAL file is opened once; before each sync it is checked to be still the same file (SQLite
 * removes and recreates it only when the last connection closes, but a stale handle would sync
 * nothing), and reopened if not.
 */
export function createCommitBarrier(db: Db, file: string, options: CommitBarrierOptions = {}): CommitBarrier {
  const walPath = `${file}-wal`;
  const sync = options.sync ?? ((h: FileHandle) => h.datasync());
  db.pragma('synchronous = NORMAL');

  let handle: { fh: FileHandle; ino: number } | undefined;
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  let closed = false;

  async function walHandle(): Promise<FileHandle | undefined> {
    // Synchronous: a stat of a path is a few microseconds, while an asynchronous one waits a whole
    // round of a busy event loop for its answer (4–5 ms under the benchmark), before every sync.
    const current = statSync(walPath, { throwIfNoEntry: false });
    // No WAL: nothing has been committed since the last connection closed, nothing to sync.
    if (!current) return undefined;
    if (handle && handle.ino === current.ino) return handle.fh;
    await handle?.fh.close().catch(() => undefined);
    const fh = await open(walPath, constants.O_RDONLY);
    handle = { fh, ino: (await fh.stat()).ino };
    return fh;
  }

  async function syncOnce(): Promise<void> {
    const fh = await walHandle();
    if (fh) await sync(fh);
  }

  function start(): Promise<void> {
    let before: unknown;
    try {
      options.beforeSync?.();
    } catch (error) {
      before = error ?? new Error('beforeSync failed');
    }
    running = syncOnce()
      .then(() => {
        if (before !== undefined) throw before;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  return {
    durable() {
      if (closed) return Promise.resolve();
      if (!running) return start();
      // A sync is under way and may have begun before this caller's commits: wait for the next one,
      // shared by everyone who asks while this one runs.
      next ??= running
        .catch(() => undefined)
        .then(() => {
          next = undefined;
          return start();
        });
      return next;
    },
    async close() {
      if (closed) return;
      await (next ?? running)?.catch(() => undefined);
      closed = true;
      await handle?.fh.close().catch(() => undefined);
      handle = undefined;
    },
  };
}
