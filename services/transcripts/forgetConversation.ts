import { conversationStorageKey } from '../storage/conversationKey';
import { conversationHash } from '../funnel';
import type { AuditLog } from '../audit';
import type { HandoffQueue } from '../handoff';
import type { TranscriptStore } from './index';

/** Who asked for the deletion: an agent in the console (on the customer's behalf), or an operator's CLI. */
export type ForgetRequestedBy = { via: 'console'; agentId: string } | { via: 'cli' };

export interface Forgotten {
  /** Lines deleted from the conversation's transcript. */
  lines: number;
  /** Handoff tickets whose transcript copy was blanked. */
  tickets: number;
  /** The conversation as the audit record names it (the funnel's hash, never the id). */
  conversation: string;
}

export interface ForgetDeps {
  transcripts: Pick<TranscriptStore, 'forget'>;
  queue: Pick<HandoffQueue, 'forgetTranscripts'>;
  audit: Pick<AuditLog, 'record'>;
}

/** Longer than any channel's conversation id (Bot Framework ids run to a few hundred characters). */
export const MAX_CONVERSATION_ID = 1000;

/** A conversation id as a request names it, or undefined: empty, too long or holding control characters. */
export function conversationIdFrom(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '' || value.length > MAX_CONVERSATION_ID) return undefined;
  return /[\u0000-\u001F\u007F]/.test(value) ? undefined : value;
}

/**
 * Deletion on request (a customer asks the bank to delete their chat): the conversation's transcript
 * lines and the transcript copies on its handoff tickets (which otherwise stay: reason, times, agent,
 * resolution, rating). Then an audit record `transcript.forgotten` with the counts and who asked,
 * keyed by the conversation's hash as the funnel computes it (`rebind/<id>`), so the audit log never
 * learns the id from a deletion. `conversationId` is the chart's id (`<channel>/<conversation id>`),
 * as tickets show it.
 */
export async function forgetConversation(
  { transcripts, queue, audit }: ForgetDeps,
  conversationId: string,
  by: ForgetRequestedBy,
): Promise<Forgotten> {
  const lines = await transcripts.forget(conversationId);
  const tickets = await queue.forgetTranscripts(conversationId);
  const conversation = conversationHash(conversationStorageKey(conversationId));
  await audit.record('transcript.forgotten', conversation, {
    lines,
    tickets,
    via: by.via,
    ...(by.via === 'console' ? { agent: by.agentId } : {}),
  });
  return { lines, tickets, conversation };
}
