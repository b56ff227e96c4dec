import type { Clock } from '../../domain/clock';
import type { HandoffQueue } from '../handoff';
import type { Logger } from '../platform/log';
import type { TranscriptStore } from './index';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionJobOptions {
  transcripts: Pick<TranscriptStore, 'purgeOlderThan'>;
  queue: Pick<HandoffQueue, 'purgeTranscriptsBefore'>;
  /** TRANSCRIPT_RETENTION_DAYS: lines said before now − this, and ticket copies of tickets ended before, go. */
  retentionDays: number;
  clock?: Clock;
  everyMs?: number;
  logger: Logger;
}

/** What one run removed; a part that failed (logged) counts 0. */
export interface RetentionRun {
  cutoff: number;
  lines: number;
  tickets: number;
}

export interface RetentionJob {
  /** Runs now (or joins the run under way); never rejects. Undefined once stopped. */
  runOnce(): Promise<RetentionRun | undefined>;
  /** No further runs; resolves when a run under way has finished. */
  stop(): Promise<void>;
}

/** An error as logged: its kind and message, cut short (store errors carry no customer text). */
const errorText = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 300);

/**
 * Retention of masked transcripts: once now, then every `everyMs` (an hour), deletes transcript lines
 * older than `retentionDays` and blanks the transcript copies of handoff tickets that ended before then.
 * The timer is unref()ed (it never keeps the process alive). A failing part is logged (counts and the
 * error, no customer data) and tried again at the next run; nothing is thrown out of the timer.
 */
export function startRetentionJob({
  transcripts,
  queue,
  retentionDays,
  clock = Date.now,
  everyMs = 3_600_000,
  logger,
}: RetentionJobOptions): RetentionJob {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) throw new RangeError('retentionDays must be an integer >= 1');
  if (!Number.isFinite(everyMs) || everyMs < 1) throw new RangeError('everyMs must be a positive number');
  let stopped = false;
  let running: Promise<RetentionRun | undefined> | undefined;

  const part = async (name: 'transcripts' | 'tickets', purge: () => Promise<number>): Promise<number> => {
    try {
      return await purge();
    } catch (error) {
      // After stop() the stores may be closing: that is not worth an error line.
      if (!stopped) logger.error('transcript retention failed', { part: name, error: errorText(error) });
      return 0;
    }
  };

  const run = async (): Promise<RetentionRun> => {
    const cutoff = clock() - retentionDays * DAY_MS;
    const lines = await part('transcripts', () => transcripts.purgeOlderThan(cutoff));
    const tickets = await part('tickets', () => queue.purgeTranscriptsBefore(cutoff));
    const fields = { lines, tickets, retentionDays, cutoff: new Date(cutoff).toISOString() };
    if (lines > 0 || tickets > 0) logger.info('transcripts past retention deleted', fields);
    else logger.debug('transcript retention: nothing to delete', fields);
    return { cutoff, lines, tickets };
  };

  const runOnce = (): Promise<RetentionRun | undefined> => {
    if (stopped) return Promise.resolve(undefined);
    running ??= run()
      .catch((error: unknown): undefined => {
        logger.error('transcript retention failed', { part: 'run', error: errorText(error) });
        return undefined;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  void runOnce();
  const timer = setInterval(() => void runOnce(), everyMs);
  timer.unref();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
