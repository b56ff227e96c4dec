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
  /** Rows of one append: one statement writes them all, atomic by itself (no transaction, no savepoint). */
  const insertRows = (n: number) =>
    db.prepare(`INSERT INTO transcript_lines (conversation_id, at, sender, text) VALUES ${Array(n).fill('(?, ?, ?, ?)').join(', ')}`);
  /** The statements for 1 … MAX_ROWS lines, prepared when first needed; longer appends go in slices. */
  const inserts: Array<ReturnType<typeof insertRows> | undefined> = [];
  const MAX_ROWS = 16;
  const insertOf = (n: number) => (inserts[n] ??= insertRows(n));
  const recent = db.prepare(
    `SELECT at, sender AS "from", text FROM
       (SELECT seq, at, sender, text FROM transcript_lines WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?)
     ORDER BY seq`,
  );
  const forget = db.prepare('DELETE FROM transcript_lines WHERE conversation_id = ?');
  const purge = db.prepare('DELETE FROM transcript_lines WHERE at < ?');
  type Line = { from: TranscriptLine['from']; text: string; at?: number };
  const rowsOf = (conversationId: string, lines: ReadonlyArray<Line>): unknown[] =>
    lines.flatMap((line) => [conversationId, line.at ?? clock(), line.from, maskLineText(line.text)]);
  /** More lines than one statement takes: the slices in one transaction, all or none. */
  const appendSlices = db.transaction((conversationId: string, lines: ReadonlyArray<Line>) => {
    for (let i = 0; i < lines.length; i += MAX_ROWS) {
      const slice = lines.slice(i, i + MAX_ROWS);
      insertOf(slice.length).run(rowsOf(conversationId, slice));
    }
  });
  return {
    async append(conversationId, lines) {
      if (lines.length === 0) return;
      // A turn's lines (usually one to three) are one statement: atomic by itself, so no transaction
      // (a savepoint inside a group commit) is needed around it.
      if (lines.length <= MAX_ROWS) insertOf(lines.length).run(rowsOf(conversationId, lines));
      else appendSlices(conversationId, lines);
    },
    recent: async (conversationId, limit = 50) => recent.all(conversationId, limit) as TranscriptLine[],
    forget: async (conversationId) => forget.run(conversationId).changes,
    purgeOlderThan: async (cutoffMs) => purge.run(checkCutoff(cutoffMs)).changes,
  };
}
