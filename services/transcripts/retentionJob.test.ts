import type { Logger } from '../platform/log';
import { DAY_MS, startRetentionJob, type RetentionJob } from './retentionJob';

const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
const HOUR = 3_600_000;

/** Fakes that record the cutoffs they were given; `fail` makes the next calls reject. */
function fakes() {
  const calls = { lines: [] as number[], tickets: [] as number[] };
  const fail = { lines: false, tickets: false };
  const logged: Array<[string, string, Record<string, unknown> | undefined]> = [];
  const at =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>) =>
      logged.push([level, msg, fields]);
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return {
    calls,
    fail,
    logged,
    logger,
    transcripts: {
      async purgeOlderThan(cutoff: number) {
        calls.lines.push(cutoff);
        if (fail.lines) throw new Error('SQLITE_BUSY: database is locked');
        return 4;
      },
    },
    queue: {
      async purgeTranscriptsBefore(cutoff: number) {
        calls.tickets.push(cutoff);
        if (fail.tickets) throw new Error('Redis unavailable');
        return 1;
      },
    },
  };
}

let job: RetentionJob | undefined;
afterEach(async () => {
  await job?.stop();
  job = undefined;
  jest.useRealTimers();
});

test('runs at start, then every hour, with the cutoff retentionDays before the clock; stop() stops it', async () => {
  jest.useFakeTimers({ now: NOW });
  const f = fakes();
  job = startRetentionJob({ ...f, retentionDays: 30, clock: () => Date.now() });
  await jest.advanceTimersByTimeAsync(0);
  expect(f.calls.lines).toEqual([NOW - 30 * DAY_MS]);
  expect(f.calls.tickets).toEqual([NOW - 30 * DAY_MS]);
  expect(f.logged).toContainEqual(['info', 'transcripts past retention deleted', expect.objectContaining({ lines: 4, tickets: 1 })]);

  await jest.advanceTimersByTimeAsync(HOUR - 1);
  expect(f.calls.lines).toHaveLength(1);
  await jest.advanceTimersByTimeAsync(1);
  expect(f.calls.lines).toEqual([NOW - 30 * DAY_MS, NOW + HOUR - 30 * DAY_MS]);
  await jest.advanceTimersByTimeAsync(2 * HOUR);
  expect(f.calls.lines).toHaveLength(4);

  await job.stop();
  await jest.advanceTimersByTimeAsync(5 * HOUR);
  expect(f.calls.lines).toHaveLength(4);
  expect(await job.runOnce()).toBeUndefined();
  expect(f.calls.tickets).toHaveLength(4);
});

test('runOnce reports what went; a run under way is joined, not doubled', async () => {
  const f = fakes();
  job = startRetentionJob({ ...f, retentionDays: 7, clock: () => NOW, everyMs: HOUR });
  // Both join the run the start began.
  const [a, b] = [job.runOnce(), job.runOnce()];
  expect(a).toBe(b);
  expect(await a).toEqual({ cutoff: NOW - 7 * DAY_MS, lines: 4, tickets: 1 });
  expect(f.calls.lines).toHaveLength(1);
  expect(await job.runOnce()).toEqual({ cutoff: NOW - 7 * DAY_MS, lines: 4, tickets: 1 });
  expect(f.calls.lines).toHaveLength(2);
});

test('a failing part is logged without customer data and the other part still runs; nothing is thrown', async () => {
  const f = fakes();
  f.fail.lines = true;
  job = startRetentionJob({ ...f, retentionDays: 30, clock: () => NOW, everyMs: 20 });
  expect(await job.runOnce()).toEqual({ cutoff: NOW - 30 * DAY_MS, lines: 0, tickets: 1 });
  expect(f.logged).toContainEqual([
    'error',
    'transcript retention failed',
    { part: 'transcripts', error: 'Error: SQLITE_BUSY: database is locked' },
  ]);
  // The timer keeps going, through failures of both parts, without an unhandled rejection.
  f.fail.tickets = true;
  const before = f.calls.tickets.length;
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(f.calls.tickets.length).toBeGreaterThan(before);
  expect(f.logged.filter(([, , fields]) => fields?.part === 'tickets').length).toBeGreaterThan(0);
});

test('refuses a retention that is not a whole number of days, or no interval, before running anything', () => {
  const f = fakes();
  expect(() => startRetentionJob({ ...f, retentionDays: 0 })).toThrow(RangeError);
  expect(() => startRetentionJob({ ...f, retentionDays: 1.5 })).toThrow(RangeError);
  expect(() => startRetentionJob({ ...f, retentionDays: 30, everyMs: 0 })).toThrow(RangeError);
  expect(f.calls.lines).toEqual([]);
});
