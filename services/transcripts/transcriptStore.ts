import type { Clock } from '../../domain/clock';
import { maskDigitsInText } from '../../domain/mask';
import type { Db } from '../platform/openDatabase';

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

export function createTranscriptStore({ db, clock = Date.now }: { db: Db; clock?: Clock }): TranscriptStore {
  db.exec(`
    CREATE TABLE IF NOT EXISTS transcript_lines (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      conversation_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      sender TEXT NOT NULL CHECK (sender IN ('customer', 'bot', 'agent')),
      text TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS transcript_lines_conversation ON transcript_lines (conversation_id, seq);
    CREATE INDEX IF NOT EXISTS transcript_lines_at ON transcript_lines (at);
  `);
  const insert = db.prepare('INSERT INTO transcript_lines (conversation_id, at, sender, text) VALUES (?, ?, ?, ?)');
  const recent = db.prepare(
    `SELECT at, sender AS "from", text FROM
       (SELECT seq, at, sender, text FROM transcript_lines WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?)
     ORDER BY seq`,
  );
  const forget = db.prepare('DELETE FROM transcript_lines WHERE conversation_id = ?');
  const purge = db.prepare('DELETE FROM transcript_lines WHERE at < ?');
  const appendAll = db.transaction(
    (conversationId: string, lines: ReadonlyArray<{ from: TranscriptLine['from']; text: string; at?: number }>) => {
      for (const line of lines) insert.run(conversationId, line.at ?? clock(), line.from, maskLineText(line.text));
    },
  );
  return {
    async append(conversationId, lines) {
      if (lines.length > 0) appendAll(conversationId, lines);
    },
    recent: async (conversationId, limit = 50) => recent.all(conversationId, limit) as TranscriptLine[],
    forget: async (conversationId) => forget.run(conversationId).changes,
    purgeOlderThan: async (cutoffMs) => purge.run(checkCutoff(cutoffMs)).changes,
  };
}
