/**
 * Transcripts: what was said in each conversation, masked before it is written, so a person who takes
 * over reads the conversation so far (and nothing secret); deleted after TRANSCRIPT_RETENTION_DAYS
 * (`retentionJob.ts`) or on request (`forgetConversation.ts`).
 *
 * Adapters: `sqlite.ts` (table transcript_lines), `redis.ts` (a list per conversation). Both keep lines
 * as `maskLineText` makes them; `transcriptStoreContract.test.ts` runs both.
 */
import { maskDigitsInText } from '../../domain/mask';

/** One line of a conversation as stored: `text` is masked (no card, ID, phone number or code). */
export interface TranscriptLine {
  at: number;
  from: 'customer' | 'bot' | 'agent';
  text: string;
}

/** The longest line kept; longer text is cut (a 100 KB paste is not worth keeping whole). */
export const MAX_LINE_CHARS = 2000;

/**
 * What was said in each conversation, masked before it is written, so an agent who takes over
 * reads the conversation so far (and nothing secret). Keyed by the chart's conversation id.
 */
export interface TranscriptStore {
  append(conversationId: string, lines: ReadonlyArray<{ from: TranscriptLine['from']; text: string; at?: number }>): Promise<void>;
  /** The last `limit` lines, oldest first. */
  recent(conversationId: string, limit?: number): Promise<TranscriptLine[]>;
  /** Deletes a conversation's lines (on request); returns how many went. */
  forget(conversationId: string): Promise<number>;
  /** Deletes every line said before `cutoffMs` (retention), in every conversation; returns how many went. */
  purgeOlderThan(cutoffMs: number): Promise<number>;
}

/** A retention cutoff must be a time: NaN would silently match nothing (or, elsewhere, everything). */
export function checkCutoff(cutoffMs: number): number {
  if (!Number.isFinite(cutoffMs)) throw new RangeError(`not a cutoff time: ${String(cutoffMs)}`);
  return cutoffMs;
}

export function maskLineText(text: string): string {
  const masked = maskDigitsInText(text);
  return masked.length > MAX_LINE_CHARS ? `${masked.slice(0, MAX_LINE_CHARS)}…` : masked;
}
