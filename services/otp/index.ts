/**
 * One-time codes: issued for a binding (conversation, purpose, number, card, generation), sent by the
 * caller, verified once. Cooldown and caps per number, wrong codes counted per card until a lock.
 * Only keyed hashes are stored (`otpHashes.ts`); options and defaults: `otpSettings.ts`.
 *
 * Adapters: `sqlite.ts` (one machine), `redis.ts` (several instances); `otpContract.test.ts` runs both.
 */
import type { OtpBinding } from '../../domain/otpBinding';

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
