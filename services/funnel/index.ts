/**
 * The change-of-number funnel's events: one per turn that shows a step, keyed by a hash of the
 * conversation (`npm run report:funnel` reads them; `funnel.ts` turns them into numbers).
 *
 * Adapters: `sqlite.ts` (table funnel_events), `redis.ts` (one list); `funnelLogContract.test.ts` runs both.
 */
import { hash } from 'node:crypto';
import type { FunnelEvent, FunnelStep } from './funnel';

/** Where funnel events are kept: one per turn that shows a step, keyed by a conversation hash. */
export interface FunnelLog {
  record(conversationHash: string, step: FunnelStep, at: number): Promise<void>;
  /** Every event, in the order recorded. */
  all(): Promise<FunnelEvent[]>;
}

/**
 * The conversation as the funnel (and the logs) know it: 12 hex digits of a SHA-256, not reversible.
 * Node's one-shot `hash` (no Hash object): this runs on every turn.
 */
export function conversationHash(conversationKey: string): string {
  return hash('sha256', conversationKey, 'hex').slice(0, 12);
}
