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

/** A gateway that "sends" by appending one JSON line per message to a file, for development and tests. */
export function createOutboxSms({ path, clock = Date.now }: OutboxSmsOptions): SmsGateway {
  // The directory is made once; a failed attempt is tried again with the next message.
  let directory: Promise<unknown> | undefined;
  return {
    async send(message) {
      const line = outboxLine(message, clock());
      try {
        directory ??= mkdir(dirname(path), { recursive: true }).catch((err: unknown) => {
          directory = undefined;
          throw err;
        });
        await directory;
        await appendFile(path, line + '\n', 'utf8');
      } catch (cause) {
        throw new SmsError('could not write to the SMS outbox', { cause });
      }
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
