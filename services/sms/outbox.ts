import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from '../../domain/clock';
import type { OutboxEntry } from './outboxLine';
import { outboxLine } from './outboxLine';
import type { SmsGateway } from './index';
import { SmsError } from './index';

export interface OutboxSmsOptions {
  /** A JSON Lines file; created, with its directory, on the first message. */
  path: string;
  clock?: Clock;
}

/**
 * A gateway that "sends" by appending one JSON line per message to a file, for development and tests.
 * Lines that come while a write is under way go out together in the next write (one open, write and
 * close for all of them, in the order they came); each `send` resolves when its own line is written.
 * The file is opened for every write, so it may be moved or removed between two.
 */
export function createOutboxSms({ path, clock = Date.now }: OutboxSmsOptions): SmsGateway {
  // The directory is made once; a failed attempt is tried again with the next message.
  let directory: Promise<unknown> | undefined;
  let waiting: Array<{ line: string; done: (error?: unknown) => void }> = [];
  let writing = false;

  async function writeWaiting(): Promise<void> {
    writing = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      let failed: unknown;
      try {
        directory ??= mkdir(dirname(path), { recursive: true }).catch((err: unknown) => {
          directory = undefined;
          throw err;
        });
        await directory;
        await appendFile(path, batch.map((b) => b.line).join(''), 'utf8');
      } catch (cause) {
        failed = cause ?? new Error('the write failed');
      }
      for (const b of batch) b.done(failed);
    }
    writing = false;
  }

  return {
    send(message) {
      let line: string;
      try {
        line = outboxLine(message, clock()) + '\n';
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise<void>((resolve, reject) => {
        waiting.push({
          line,
          done: (cause) => (cause === undefined ? resolve() : reject(new SmsError('could not write to the SMS outbox', { cause }))),
        });
        if (!writing) void writeWaiting();
      });
    },
  };
}

/**
 * The messages written so far, oldest first; [] when the file does not exist.
 * A last line without its newline (a write still under way) is left out.
 */
export function readOutbox(path: string): OutboxEntry[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.pop(); // whatever follows the last '\n': empty, or a line not fully written yet
  return lines
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as OutboxEntry;
      } catch (cause) {
        throw new Error(`${path}: line ${i + 1} is not JSON`, { cause });
      }
    });
}
