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
