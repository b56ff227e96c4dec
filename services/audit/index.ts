/**
 * The audit trail: decisions worth proving later, append-only and hash-chained (`auditChain.ts`), so an
 * edited, inserted, removed or moved record is detected by `verify()` (and `npm run audit:verify`).
 *
 * Adapters: `sqlite.ts` (tables audit_log and audit_head), `redis.ts` (lists under `audit:`). Both chain
 * the same records with the same MACs; `auditContract.test.ts` runs both.
 */
import type { AuditVerification } from './auditChain';

/** Decisions worth proving later. Stable names: reports and audits read them. */
export type AuditType =
  | 'identity.passed'
  | 'identity.failed'
  | 'identity.locked'
  | 'identity.abnormal'
  | 'identity.limited'
  | 'code.sent'
  | 'code.sendFailed'
  | 'code.refused'
  | 'code.verified'
  | 'code.failed'
  | 'code.locked'
  | 'change.committed'
  | 'change.conflict'
  | 'notice.sent'
  | 'notice.failed'
  | 'handoff.requested'
  | 'handoff.afterHours'
  | 'handoff.left'
  | 'handoff.callbackRequested'
  | 'handoff.claimed'
  | 'handoff.closed'
  | 'handoff.returned'
  | 'handoff.rated'
  /** A conversation's transcript deleted on request; keyed by the conversation's hash, not its id. */
  | 'transcript.forgotten'
  /** The first message over RATE_LIMIT_MESSAGES in a window (the customer was told to slow down). */
  | 'limit.reached';

export interface AuditRecord {
  id: number;
  at: number;
  type: AuditType;
  conversationId: string;
  /** Masked values only: the callers pass masked card/phone/ID forms. */
  data: Record<string, string | number | boolean>;
}

export interface AuditLog {
  record(type: AuditType, conversationId: string, data?: AuditRecord['data']): Promise<void>;
  list(filter?: { conversationId?: string }): Promise<AuditRecord[]>;
  /** Re-computes the hash chain and the head: detects an edited, inserted, removed or moved record. */
  verify(): Promise<AuditVerification>;
}
