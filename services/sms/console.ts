import type { Clock } from '../../domain/clock';
import { outboxLine } from './outboxLine';
import type { SmsGateway } from './index';
import { SmsError } from './index';

export interface ConsoleSmsOptions {
  write?: (line: string) => void;
  clock?: Clock;
}

/** A gateway that prints each message as one JSON line (same format as the outbox). */
export function createConsoleSms({
  write = (line) => {
    process.stdout.write(line + '\n');
  },
  clock = Date.now,
}: ConsoleSmsOptions = {}): SmsGateway {
  return {
    async send(message) {
      const line = outboxLine(message, clock());
      try {
        write(line);
      } catch (cause) {
        throw new SmsError('could not print the SMS', { cause });
      }
    },
  };
}
