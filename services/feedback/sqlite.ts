import { createHash } from 'node:crypto';
import type { Clock } from '../../domain/clock';
import type { Db } from '../platform/openDatabase';
import type { FaqFeedback } from './index';

/** "Was this helpful?" answers, per knowledge-base topic, in SQLite (table faq_feedback). Conversations are kept only as a hash. */
export function createSqliteFaqFeedback({ db, clock = Date.now }: { db: Db; clock?: Clock }): FaqFeedback {
  db.exec(`CREATE TABLE IF NOT EXISTS faq_feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    faq_id TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    conversation TEXT NOT NULL
  )`);
  const insert = db.prepare('INSERT INTO faq_feedback (at, faq_id, helpful, conversation) VALUES (?, ?, ?, ?)');
  const counts = db.prepare(
    `SELECT faq_id AS faqId, SUM(helpful) AS helpful, SUM(1 - helpful) AS notHelpful
     FROM faq_feedback GROUP BY faq_id ORDER BY faq_id`,
  );
  return {
    async record({ faqId, helpful, conversationId }) {
      const conversation = createHash('sha256').update(conversationId).digest('hex').slice(0, 16);
      insert.run(clock(), faqId, helpful ? 1 : 0, conversation);
    },
    async summary() {
      return counts.all() as Array<{ faqId: string; helpful: number; notHelpful: number }>;
    },
  };
}
