import type { Clock } from '../../domain/clock';
import type { Db } from '../platform/openDatabase';
import { checkCutoff, maskLineText, type TranscriptLine, type TranscriptStore } from './index';

/** Transcripts in SQLite (table transcript_lines of rebind.sqlite). */
export function createSqliteTranscriptStore({ db, clock = Date.now }: { db: Db; clock?: Clock }): TranscriptStore {
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
      const [only] = lines;
      // One line is one statement, atomic by itself: no transaction (a savepoint in a group commit) needed.
      if (lines.length === 1 && only) insert.run(conversationId, only.at ?? clock(), only.from, maskLineText(only.text));
      else if (lines.length > 1) appendAll(conversationId, lines);
    },
    recent: async (conversationId, limit = 50) => recent.all(conversationId, limit) as TranscriptLine[],
    forget: async (conversationId) => forget.run(conversationId).changes,
    purgeOlderThan: async (cutoffMs) => purge.run(checkCutoff(cutoffMs)).changes,
  };
}
