import type { Db } from '../platform/openDatabase';
import type { FunnelEvent } from './funnel';
import type { FunnelLog } from './index';

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
