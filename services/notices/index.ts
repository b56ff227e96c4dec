/**
 * Notices: the SMS that tells a customer their number was changed, sent to the old and the new number,
 * once per change however often the turn that reaches the change is retried.
 *
 * Adapters: `sqlite.ts` (one machine), `redis.ts` (several instances: one claim per key across them);
 * `noticeSenderContract.test.ts` runs both.
 */
import type { SmsMessage } from '../sms';

export interface NoticeSender {
  /**
   * Sends a message once per key: a retried turn that reaches the same change again sends nothing.
   * Resolves true when this call sent it. If the gateway fails, the key is released so a retry can
   * send it, and the error is rethrown.
   */
  sendOnce(key: string, message: SmsMessage): Promise<boolean>;
}
