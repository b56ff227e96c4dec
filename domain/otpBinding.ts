/** Which number a code goes to: the current one (`old`) or the new one. */
export type OtpPurpose = 'old' | 'new';

/** What a code is bound to. A code verifies only against the same binding it was issued for. */
export interface OtpBinding {
  conversationId: string;
  purpose: OtpPurpose;
  /** E.164 number the code goes to */
  phone: string;
  /** Card number (full); attempts and locks are counted per card, across conversations. Only a keyed hash is stored. */
  card: string;
  /** Bumped by the chart whenever a detail changes: a code from an older generation is void. */
  generation: number;
}
