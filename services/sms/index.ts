/**
 * Text messages: the one-time codes and the change notices leave through an SmsGateway.
 *
 * Adapters: `console.ts` (the log), `outbox.ts` (a JSON-lines file the demo and tests read), `http.ts` (a
 * real gateway). `retryingSms.ts` retries any of them; `createSmsGateway.ts` picks one from SMS_PROVIDER.
 */
export interface SmsMessage {
  /** E.164 */
  to: string;
  text: string;
}

/** A gateway that sends one text message. Rejects with SmsError when the message was not accepted. */
export interface SmsGateway {
  send(message: SmsMessage): Promise<void>;
}

export class SmsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SmsError';
  }
}
