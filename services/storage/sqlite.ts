import { randomUUID } from 'node:crypto';
import type { Transaction } from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import type { StoreItem, StoreItems } from 'botbuilder';
import { UNCHANGED, type TrackedStorage } from './index';
import type { Clock } from '../../domain/clock';
import type { Db } from '../platform/openDatabase';
import { openTransactionOf } from '../platform/groupCommit';
import { decodeStoredValue, encodeStoredValue } from './storedValue';

export interface SqliteStorageOptions {
  db: Db;
  /** 32 bytes. When given, values are encrypted at rest with AES-256-GCM; without it they are plain JSON. */
  encryptionKey?: Buffer;
  clock?: Clock;
  /** A fresh eTag for every write. Random by default, so eTags never repeat across restarts. */
  newETag?: () => string;
}

interface Row {
  key: string;
  etag: string;
  value: string;
}

/** Creates the table if it is missing. Safe to run on every start. */
export function migrateStorageSchema(db: Db): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS conversation_state (
      key         TEXT PRIMARY KEY,
      etag        TEXT NOT NULL,
      value       TEXT NOT NULL,
      updated_at  INTEGER NOT NULL
    );
  `);
}

function prepareStatements(db: Db) {
  return {
    get: db.prepare<[string], Row>('SELECT key, etag, value FROM conversation_state WHERE key = ?'),
    // The value only when the eTag differs from the one the caller holds.
    getChanged: db.prepare<[string, string], { etag: string; value: string | null }>(
      'SELECT etag, CASE WHEN etag = ? THEN NULL ELSE value END AS value FROM conversation_state WHERE key = ?',
    ),
    upsert: db.prepare<[string, string, string, number]>(`
      INSERT INTO conversation_state (key, etag, value, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT(key) DO UPDATE SET etag = excluded.etag, value = excluded.value, updated_at = excluded.updated_at`),
    // The same, but a stored row is replaced only while it still has the eTag the writer read (the check
    // and the write in one statement): no change means another writer came first.
    upsertIfETag: db.prepare<[string, string, string, number, string]>(`
      INSERT INTO conversation_state (key, etag, value, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT(key) DO UPDATE SET etag = excluded.etag, value = excluded.value, updated_at = excluded.updated_at
      WHERE conversation_state.etag = ?`),
    remove: db.prepare<[string]>('DELETE FROM conversation_state WHERE key = ?'),
    // Changes each time another connection commits to the file; never for this connection's own commits.
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
  };
}

/** How many committed eTags a connection remembers (the most recently written). */
const WRITTEN_MAX = 4_096;

/**
 * The eTags this connection wrote and committed, while no other connection has committed to the file
 * since (SQLite's `data_version`): for those keys the stored eTag is known without reading it.
 * Kept per connection, so every store on one connection shares it. Only this table's stores write
 * `conversation_state`: a change made on the same connection behind their back would go unseen.
 */
interface Written {
  eTags: LRUCache<string, string>;
  /** The `data_version` the eTags hold at; another one means someone else committed: forget them. */
  version: unknown;
}
const writtenByDb = new WeakMap<Db, Written>();

/**
 * Bot Framework `Storage` on SQLite with MemoryStorage's eTag rules: every write gets a new eTag; a write
 * carrying another eTag than the stored one (other than '*') fails with 'eTag conflict'; no eTag or '*'
 * means last writer wins. A batch is written in one transaction: one conflict and nothing is written.
 */
export class SqliteStorage implements TrackedStorage {
  private readonly key: Buffer | undefined;
  private readonly clock: Clock;
  private readonly newETag: () => string;
  private readonly db: Db;
  private readonly q: ReturnType<typeof prepareStatements>;
  /** The transaction of `writeAll`, made once: one conflict and nothing of the batch is written. */
  private readonly writeBatch: Transaction<(entries: Array<[string, Record<string, unknown>]>, now: number) => string[]>;
  private readonly written: Written;

  constructor({ db, encryptionKey, clock = Date.now, newETag = () => randomUUID() }: SqliteStorageOptions) {
    if (encryptionKey !== undefined && encryptionKey.length !== 32) {
      throw new RangeError(`SqliteStorage: encryptionKey must be 32 bytes, got ${encryptionKey.length}`);
    }
    this.key = encryptionKey;
    this.clock = clock;
    this.newETag = newETag;
    migrateStorageSchema(db);
    this.db = db;
    this.q = prepareStatements(db);
    let written = writtenByDb.get(db);
    if (!written) writtenByDb.set(db, (written = { eTags: new LRUCache({ max: WRITTEN_MAX }), version: this.q.dataVersion.get() }));
    this.written = written;
    this.writeBatch = db.transaction((entries: Array<[string, Record<string, unknown>]>, now: number): string[] =>
      entries.map(([key, item]) => this.writeEntry(key, item, now)),
    );
  }

  /** Checks one entry's eTag and writes it (one statement); returns its new eTag. */
  private writeEntry(key: string, item: Record<string, unknown>, now: number): string {
    const { eTag, ...rest } = item;
    const fresh = this.newETag();
    const value = this.encode(key, rest);
    this.written.eTags.delete(key);
    if (typeof eTag === 'string' && eTag !== '*' && eTag !== '') {
      // A row that is gone is written again (as MemoryStorage does); one with another eTag is not touched.
      if (this.q.upsertIfETag.run(key, fresh, value, now, eTag).changes === 0) {
        throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
      }
    } else this.q.upsert.run(key, fresh, value, now);
    this.rememberOnceCommitted(key, fresh);
    return fresh;
  }

  /**
   * Remembers `eTag` as `key`'s stored one once the write is committed: at once outside any transaction,
   * when the group commit's transaction commits inside it (never if it fails), and not at all inside a
   * transaction function (a batch), whose savepoint may yet be undone.
   */
  private rememberOnceCommitted(key: string, eTag: string): void {
    const remember = () => this.written.eTags.set(key, eTag);
    const tx = openTransactionOf(this.db);
    if (tx) {
      if (!tx.nested) tx.afterCommit(`conversation_state:${key}`, remember);
    } else if (!this.db.inTransaction) remember();
  }

  /** True when `eTag` is known to be `key`'s stored eTag without reading it (see `Written`). */
  private knownUnchanged(key: string, eTag: string): boolean {
    const written = this.written;
    const version = this.q.dataVersion.get();
    if (version !== written.version) {
      written.eTags.clear();
      written.version = version;
      return false;
    }
    return written.eTags.get(key) === eTag;
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    const items: StoreItems = {};
    for (const key of keys) {
      const row = this.q.get.get(key);
      if (row) items[key] = { ...this.decode(key, row.value), eTag: row.etag };
    }
    return items;
  }

  async readUnlessUnchanged(key: string, eTag: string): Promise<StoreItem | undefined | typeof UNCHANGED> {
    // What this connection wrote last, and nobody else has written since: not even the eTag is read.
    if (this.knownUnchanged(key, eTag)) return UNCHANGED;
    const row = this.q.getChanged.get(eTag, key);
    if (!row) return undefined;
    if (row.value === null) return UNCHANGED;
    return { ...this.decode(key, row.value), eTag: row.etag };
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new ReferenceError('Changes are required when writing.');
    this.writeAll(Object.entries(changes) as Array<[string, Record<string, unknown>]>);
  }

  async writeOne(key: string, item: StoreItem): Promise<string> {
    // One entry is one statement, its eTag check included: atomic by itself, so no transaction (or,
    // inside a group commit's, no savepoint) of its own.
    return this.writeEntry(key, item as Record<string, unknown>, this.clock());
  }

  /** Writes a batch in one transaction; returns the new eTags, in order. */
  private writeAll(entries: Array<[string, Record<string, unknown>]>): string[] {
    return this.writeBatch.immediate(entries, this.clock());
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new ReferenceError('Keys are required when deleting.');
    for (const key of keys) this.written.eTags.delete(key);
    this.db.transaction(() => keys.forEach((key) => this.q.remove.run(key))).immediate();
  }

  private encode(key: string, value: Record<string, unknown>): string {
    return encodeStoredValue(this.key, key, value);
  }

  private decode(key: string, stored: string): Record<string, unknown> {
    return decodeStoredValue(this.key, key, stored);
  }
}

export function createSqliteStorage(options: SqliteStorageOptions): SqliteStorage {
  return new SqliteStorage(options);
}
