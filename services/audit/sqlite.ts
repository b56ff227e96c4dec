import type { Clock } from '../../domain/clock';
import { openTransactionOf, type OpenTransaction } from '../platform/groupCommit';
import type { Db } from '../platform/openDatabase';
import { GENESIS_MAC, makeHead, recordMac, verifyChain, type AuditVerification } from './auditChain';
import type { AuditLog, AuditRecord, AuditType } from './index';

/**
 * The tables: `audit_log` (one row per record, `mac` its link in the chain) and `audit_head` (one row:
 * how many records there are and the last MAC, MACed). Triggers refuse to update or delete a chained
 * record, so only someone editing the file by hand can, and `verify()` catches that.
 * Returns true when this call created the head: the log was not chained before (a new database, or
 * one from before the chain existed, whose records `createSqliteAuditLog` then chains).
 */
export function migrateAudit(db: Db): boolean {
  const migrate = () => {
    const hadHead = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_head'").get();
    db.exec(`CREATE TABLE IF NOT EXISTS audit_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      type TEXT NOT NULL,
      conversation_id TEXT NOT NULL,
      data TEXT NOT NULL,
      mac TEXT
    )`);
    const columns = db.prepare('PRAGMA table_info(audit_log)').all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'mac')) db.exec('ALTER TABLE audit_log ADD COLUMN mac TEXT');
    db.exec(`CREATE TABLE IF NOT EXISTS audit_head (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      count INTEGER NOT NULL,
      last_mac TEXT NOT NULL,
      mac TEXT NOT NULL
    )`);
    db.exec(`CREATE TRIGGER IF NOT EXISTS audit_log_append_only_update BEFORE UPDATE ON audit_log
      WHEN OLD.mac IS NOT NULL BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`);
    db.exec(`CREATE TRIGGER IF NOT EXISTS audit_log_append_only_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`);
    return !hadHead;
  };
  return db.inTransaction ? migrate() : db.transaction(migrate).immediate();
}

type Row = { id: number; at: number; type: AuditType; conversation_id: string; data: string; mac: string | null };
type HeadRow = { count: number; last_mac: string; mac: string };

const toRecord = (r: Row): AuditRecord => ({
  id: r.id,
  at: r.at,
  type: r.type,
  conversationId: r.conversation_id,
  data: JSON.parse(r.data) as AuditRecord['data'],
});

/** For verify(): a row whose data is not even JSON any more still gets checked (and fails). */
const toChained = (r: Row) => {
  let data: AuditRecord['data'];
  try {
    data = JSON.parse(r.data) as AuditRecord['data'];
  } catch {
    data = { unreadable: r.data };
  }
  return { id: r.id, at: r.at, type: r.type, conversationId: r.conversation_id, data, mac: r.mac };
};

const COLUMNS = 'id, at, type, conversation_id, data, mac';

/** Sets the head (count, last MAC) and its MAC. */
function headWriter(db: Db, key: Buffer): (count: number, lastMac: string) => void {
  const write = db.prepare(
    'INSERT INTO audit_head (id, count, last_mac, mac) VALUES (1, ?, ?, ?) ' +
      'ON CONFLICT (id) DO UPDATE SET count = excluded.count, last_mac = excluded.last_mac, mac = excluded.mac',
  );
  return (count, lastMac) => {
    const head = makeHead(key, count, lastMac);
    write.run(head.count, head.lastMac, head.mac);
  };
}

/** Chains, as they are, the records written before the chain existed (in the migrating transaction). */
function sealLegacy(db: Db, key: Buffer): void {
  const rows = db.prepare(`SELECT ${COLUMNS} FROM audit_log ORDER BY id`).all() as Row[];
  if (rows.length === 0) return;
  const seal = db.prepare('UPDATE audit_log SET mac = ? WHERE id = ? AND mac IS NULL');
  let prev = GENESIS_MAC;
  for (const row of rows) {
    prev = recordMac(key, prev, toRecord(row));
    seal.run(prev, row.id);
  }
  headWriter(db, key)(rows.length, prev);
}

/**
 * Checks the chain in a SQLite database without changing it (`npm run audit:verify`). A database
 * without the audit tables has an empty log; one the chain never reached (the bot was not started since
 * the upgrade) is an error, not a verdict.
 */
export function verifySqliteAudit(db: Db, key: Buffer): AuditVerification {
  return db.transaction(() => {
    const table = (name: string) =>
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
    if (!table('audit_log')) return { ok: true as const, records: 0 };
    if (!table('audit_head')) {
      throw new Error('the audit log is not chained yet: start the bot once to upgrade it');
    }
    const rows = db.prepare(`SELECT ${COLUMNS} FROM audit_log ORDER BY id`).all() as Row[];
    const head = db.prepare('SELECT count, last_mac, mac FROM audit_head WHERE id = 1').get() as HeadRow | undefined;
    return verifyChain(key, rows.map(toChained), head && { count: head.count, lastMac: head.last_mac, mac: head.mac });
  })();
}

/**
 * The chain's end within a group commit's open transaction, per db: every audit log on that db (a
 * second one stands for another part of the process) appends after the same end.
 */
const chainEnds = new WeakMap<Db, ChainEnd>();

interface ChainEnd {
  generation: number;
  count: number;
  lastMac: string;
  nextId: number;
  /** Sets the head (the log that appended last: its key). */
  writeHead: (count: number, lastMac: string) => void;
}

/** Writes the head of the chain's end kept for `db`'s open transaction (just before it commits). */
function headOfChainEnd(db: Db): void {
  const end = chainEnds.get(db);
  if (end) end.writeHead(end.count, end.lastMac);
}

/**
 * Append-only, hash-chained audit trail in SQLite. Each insert and the head move together in one
 * IMMEDIATE transaction, so the chain stays linear when several processes share the file.
 * `key` is the audit key from server/secrets.ts (`keys.audit`).
 */
export function createSqliteAuditLog({ db, key, clock = Date.now }: { db: Db; key: Buffer; clock?: Clock }): AuditLog {
  // Old records are chained only in the transaction that creates the head, never later: a head
  // removed by hand is tampering, for verify() to report, not a reason to chain again.
  db.transaction(() => {
    if (migrateAudit(db)) sealLegacy(db, key);
  }).immediate();
  const insert = db.prepare(`INSERT INTO audit_log (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`);
  const nextId = db.prepare(
    "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0) + 1 AS id",
  );
  const readHead = db.prepare('SELECT count, last_mac, mac FROM audit_head WHERE id = 1');
  const all = db.prepare(`SELECT ${COLUMNS} FROM audit_log ORDER BY id`);
  const byConversation = db.prepare(`SELECT ${COLUMNS} FROM audit_log WHERE conversation_id = ? ORDER BY id`);
  const writeHead = headWriter(db, key);

  /** One record: its id, its link in the chain after `lastMac`, and its row. */
  const insertRecord = (id: number, lastMac: string, type: AuditType, conversationId: string, data: AuditRecord['data']) => {
    // What is stored is what is MACed: the data as it reads back from JSON.
    const json = JSON.stringify(data);
    const record: AuditRecord = { id, at: clock(), type, conversationId, data: JSON.parse(json) as AuditRecord['data'] };
    const mac = recordMac(key, lastMac, record);
    insert.run(id, record.at, type, conversationId, json, mac);
    return mac;
  };

  /** The chain's end as stored: the head's count and last MAC, and the next record's id. */
  const storedEnd = () => {
    const head = readHead.get() as HeadRow | undefined;
    // Never an id used before, even one whose row is gone: a gap then shows where records were removed.
    const { id } = nextId.get() as { id: number };
    return { count: head?.count ?? 0, lastMac: head?.last_mac ?? GENESIS_MAC, nextId: id };
  };

  const append = db.transaction((type: AuditType, conversationId: string, data: AuditRecord['data']) => {
    const end = storedEnd();
    writeHead(end.count + 1, insertRecord(end.nextId, end.lastMac, type, conversationId, data));
  });

  /**
   * Inside a group commit's open transaction (services/platform/groupCommit.ts) the file is this
   * process's until the commit: no other process can append. The chain's end is then read once per
   * transaction and kept in `chainEnds`, each record is one INSERT (no savepoint: one statement is
   * atomic), and the head is written once, just before the commit, in the same transaction: a commit
   * holds the records and their head, or neither.
   */
  const headAtCommit = () => headOfChainEnd(db);
  const appendInOpenTransaction = (tx: OpenTransaction, type: AuditType, conversationId: string, data: AuditRecord['data']) => {
    let end = chainEnds.get(db);
    if (end?.generation !== tx.generation) end = { generation: tx.generation, ...storedEnd(), writeHead };
    const mac = insertRecord(end.nextId, end.lastMac, type, conversationId, data);
    chainEnds.set(db, { generation: end.generation, count: end.count + 1, lastMac: mac, nextId: end.nextId + 1, writeHead });
    tx.beforeCommit('audit_head', headAtCommit);
  };

  return {
    async record(type, conversationId, data = {}) {
      const tx = openTransactionOf(db);
      if (tx && !tx.nested) appendInOpenTransaction(tx, type, conversationId, data);
      else if (tx && chainEnds.get(db)?.generation === tx.generation) {
        // A savepoint could undo this record but not the chain's end kept for the commit.
        throw new Error('audit: a record inside a transaction function, after records kept for the commit');
      } else append.immediate(type, conversationId, data);
    },
    async list(filter = {}) {
      const rows = (filter.conversationId ? byConversation.all(filter.conversationId) : all.all()) as Row[];
      return rows.map(toRecord);
    },
    async verify() {
      // The head of records not yet committed, as it will be committed with them.
      const tx = openTransactionOf(db);
      if (tx && chainEnds.get(db)?.generation === tx.generation) headOfChainEnd(db);
      return verifySqliteAudit(db, key);
    },
  };
}
