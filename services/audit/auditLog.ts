import type { Clock } from '../clock';
import type { Db } from '../sqlite/openDatabase';

/** Decisions worth proving later. Stable names: reports and audits read them. */
export type AuditType =
  | 'identity.passed'
  | 'identity.failed'
  | 'identity.locked'
  | 'identity.abnormal'
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
  | 'handoff.rated';

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
}

export function migrateAudit(db: Db): void {
  db.exec(`CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    data TEXT NOT NULL
  )`);
}

/** Append-only audit trail in SQLite. Nothing here updates or deletes a row. */
export function createAuditLog({ db, clock = Date.now }: { db: Db; clock?: Clock }): AuditLog {
  migrateAudit(db);
  const insert = db.prepare('INSERT INTO audit_log (at, type, conversation_id, data) VALUES (?, ?, ?, ?)');
  const all = db.prepare('SELECT id, at, type, conversation_id, data FROM audit_log ORDER BY id');
  const byConversation = db.prepare(
    'SELECT id, at, type, conversation_id, data FROM audit_log WHERE conversation_id = ? ORDER BY id',
  );
  type Row = { id: number; at: number; type: AuditType; conversation_id: string; data: string };
  return {
    async record(type, conversationId, data = {}) {
      insert.run(clock(), type, conversationId, JSON.stringify(data));
    },
    async list(filter = {}) {
      const rows = (filter.conversationId ? byConversation.all(filter.conversationId) : all.all()) as Row[];
      return rows.map((r) => ({
        id: r.id,
        at: r.at,
        type: r.type,
        conversationId: r.conversation_id,
        data: JSON.parse(r.data) as AuditRecord['data'],
      }));
    },
  };
}
