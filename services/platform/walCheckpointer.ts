import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './openDatabase';

/**
 * Checkpoints of a SQLite file in WAL mode, off the event loop.
 *
 * SQLite copies the WAL back into the database file (a checkpoint) from inside the commit that takes
 * the WAL past `wal_autocheckpoint` pages: that commit, and the event loop with it, then stands still
 * while a thousand pages are copied and the file is synced (5–12 ms under the benchmark, a few times
 * a second). Here a worker thread with its own connection runs `wal_checkpoint(PASSIVE)` when asked:
 * passive never blocks the writer, copies only frames no reader still needs, and syncs the database
 * file before it lets the WAL be reused, as SQLite's own checkpoints do. The main connection's
 * automatic checkpoint stays as a backstop, at `backstopPages`, for a worker that is gone or behind.
 */
export interface WalCheckpointer {
  /** Told the WAL's size after each sync: a checkpoint starts when it is over the threshold. */
  walSize(bytes: number): void;
  /** Checkpoints run so far (tests). */
  readonly runs: number;
  close(): Promise<void>;
}

export interface WalCheckpointerOptions {
  /** A checkpoint is asked for when the WAL is larger than this. 4 MB (SQLite's 1,000 pages) by default. */
  thresholdBytes?: number;
  /** The main connection's own automatic checkpoint, in pages. 10,000 by default. */
  backstopPages?: number;
  /** Told when a checkpoint failed (it is tried again at the next threshold). */
  onError?: (error: Error) => void;
}

// The worker's whole program: plain JavaScript, so it runs the same from the sources and from dist/.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
parentPort.on('message', (message) => {
  if (message === 'close') {
    try { db.close(); } catch {}
    parentPort.close();
    return;
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String(error && error.message || error) });
  }
});
`;

export function startWalCheckpointer(db: Db, file: string, options: WalCheckpointerOptions = {}): WalCheckpointer {
  const threshold = options.thresholdBytes ?? 4 * 1024 * 1024;
  db.pragma(`wal_autocheckpoint = ${options.backstopPages ?? 10_000}`);
  const driver = createRequire(__filename).resolve('better-sqlite3');
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { file, driver },
    // A connection and a pragma: a small heap is plenty.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
  });
  // Never what keeps the process alive.
  worker.unref();
  let running = false;
  let runs = 0;
  let gone: Error | undefined;
  let closing: Promise<void> | undefined;

  worker.on('message', (result: { ok: boolean; error?: string }) => {
    running = false;
    runs += 1;
    if (!result.ok) options.onError?.(new Error(`WAL checkpoint failed: ${result.error ?? 'unknown'}`));
  });
  worker.on('error', (error) => {
    gone = error;
    running = false;
    options.onError?.(error);
  });
  worker.on('exit', () => {
    gone ??= new Error('the checkpoint worker stopped');
  });

  return {
    walSize(bytes) {
      if (running || gone || closing || bytes <= threshold) return;
      running = true;
      worker.postMessage('checkpoint');
    },
    get runs() {
      return runs;
    },
    close() {
      closing ??= gone
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            worker.once('exit', () => resolve());
            worker.postMessage('close');
          });
      return closing;
    },
  };
}
