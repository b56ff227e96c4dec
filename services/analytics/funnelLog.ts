import { createHash } from 'node:crypto';
import type { Db } from '../platform/openDatabase';
import type { FunnelEvent, FunnelStep } from './funnel';

/** Where funnel events are kept: one per turn that shows a step, keyed by a conversation hash. */
export interface FunnelLog {
  record(conversationHash: string, step: FunnelStep, at: number): Promise<void>;
  /** Every event, in the order recorded. */
  all(): Promise<FunnelEvent[]>;
}

/** The conversation as the funnel (and the logs) know it: 12 hex digits of a SHA-256, not reversible. */
export function conversationHash(conversationKey: string): string {
  return createHash('sha256').update(conversationKey).digest('hex').slice(0, 12);
}

/** Funnel events in SQLite (table `funnel_events` of rebind.sqlite). Append-only. */
export function createSqliteFunnelLog({ db }: { db: Db }): FunnelLog {
  db.exec(`CREATE TABLE IF NOT EXISTS funnel_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    conversation TEXT NOT NULL,
    step TEXT NOT NULL
  )`);
  const insert = db.prepare('INSERT INTO funnel_events (at, conversation, step) VALUES (?, ?, ?)');
  const all = db.prepare('SELECT conversation, step, at FROM funnel_events ORDER BY id');
  return {
    async record(conversation, step, at) {
      insert.run(at, conversation, step);
    },
    async all() {
      return all.all() as FunnelEvent[];
    },
  };
}
