/** What the bot waits for. Stable: sent as `channelData.expecting`; the widget and tests rely on it. */
export type Expecting =
  | 'cardNumber'
  | 'idNumber'
  | 'oldPhone'
  | 'oldPhoneReachable'
  | 'otp'
  | 'newPhone'
  | 'confirm'
  /** Outside agent hours: when the bank may call back (free text). */
  | 'callbackTime'
  /** After a person helped: a rating from 1 to 5 (optional). */
  | 'rating';
