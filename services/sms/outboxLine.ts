import type { SmsMessage } from './index';
import { SmsError } from './index';

/** One message as the outbox file and the console show it. */
export interface OutboxEntry {
  /** E.164 */
  to: string;
  text: string;
  /** ISO 8601, UTC */
  at: string;
}

const E164 = /^\+[1-9]\d{1,14}$/;

/** The JSON line for a message, keys in the order to, text, at. Rejects a number that is not E.164. */
export function outboxLine(message: SmsMessage, at: number): string {
  if (!E164.test(message.to)) throw new SmsError('recipient is not an E.164 number');
  const entry: OutboxEntry = { to: message.to, text: message.text, at: new Date(at).toISOString() };
  return JSON.stringify(entry);
}
