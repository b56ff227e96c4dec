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

export type IssueResult =
  | { ok: true; code: string; codeId: string; expiresAt: number; resendAt: number }
  | { ok: false; reason: 'cooldown'; retryAt: number }
  | { ok: false; reason: 'hourlyCap' | 'dailyCap'; retryAt: number }
  | { ok: false; reason: 'locked'; until: number };

export type VerifyResult =
  | { ok: true; codeId: string }
  | { ok: false; reason: 'wrong'; attemptsLeft: number }
  | { ok: false; reason: 'expired' }
  /** No live code for this binding (never sent, already used, or voided by a change of details). */
  | { ok: false; reason: 'noCode' }
  | { ok: false; reason: 'locked'; until: number };

export interface OtpService {
  /** Makes a new code for the binding (voiding earlier ones of the same conversation and purpose). */
  issue(binding: OtpBinding): Promise<IssueResult>;
  /** Takes back a code whose SMS could not be sent: it does not count as sent (cooldown, caps). */
  revoke(codeId: string): Promise<void>;
  verify(binding: OtpBinding, code: string): Promise<VerifyResult>;
  /** Whether the card is locked for code entry, and until when. */
  lockedUntil(card: string): Promise<number | undefined>;
}
