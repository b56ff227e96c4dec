import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../domain/clock';
import type { Db } from '../platform/openDatabase';
import type { IdType } from '../../domain/validation/types';
import { maskCard, maskPhone } from '../../domain/mask';
import type {
  BankCore,
  BankSeed,
  CardStatus,
  ChangeRequest,
  ChangeResult,
  CustomerStatus,
  IdentityClaim,
  IdentityResult,
} from './index';

/** One row of the bank's own audit trail. `data` never holds a full card or phone number. */
export interface AuditRow {
  id: number;
  at: number;
  type: 'bank.seeded' | 'phone.changed' | 'change.conflict';
  data: Record<string, unknown>;
}

export interface SqliteBankCore extends BankCore {
  /** Inserts the seed's customers and cards, in one transaction, only when the store is empty. */
  seed(seed: BankSeed): void;
  /** True when no customer is stored yet. */
  isEmpty(): boolean;
  /** The whole audit trail, oldest first. For tests and tools. */
  auditTrail(): AuditRow[];
  /** Closes the database handle (shared with anything else opened on the same handle). */
  close(): void;
}

export interface SqliteBankCoreOptions {
  db: Db;
  clock?: Clock;
  newId?: () => string;
  /**
   * Resolves when every commit made so far is on disk (a commit barrier on the bank's file, at
   * `synchronous = NORMAL`): a change is answered only after it. Without it, each commit syncs the
   * disk itself, on the event loop (SQLite's FULL).
   */
  durable?: () => Promise<void>;
}

interface CardRow {
  card_id: string;
  card_number: string;
  phone: string;
  card_status: CardStatus;
  customer_id: string;
  id_type: IdType;
  id_number: string;
  customer_status: CustomerStatus;
}

type ConflictReason = 'unknownCard' | 'cardNotActive' | 'customerNotActive' | 'phoneChanged';

/** Creates the bank's tables if they are missing. Safe to run on every start. */
export function migrateBankSchema(db: Db): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS customers (
      id         TEXT PRIMARY KEY,
      name       TEXT NOT NULL,
      id_type    TEXT NOT NULL CHECK (id_type IN ('CN_RESIDENT', 'PASSPORT')),
      id_number  TEXT NOT NULL,
      status     TEXT NOT NULL CHECK (status IN ('active', 'frozen')),
      UNIQUE (id_type, id_number)
    );
    CREATE TABLE IF NOT EXISTS cards (
      id           TEXT PRIMARY KEY,
      customer_id  TEXT NOT NULL REFERENCES customers(id),
      number       TEXT NOT NULL UNIQUE,
      phone        TEXT NOT NULL,
      status       TEXT NOT NULL CHECK (status IN ('active', 'frozen', 'lost'))
    );
    CREATE INDEX IF NOT EXISTS cards_phone ON cards(phone);
    CREATE INDEX IF NOT EXISTS cards_customer ON cards(customer_id);
    CREATE TABLE IF NOT EXISTS phone_changes (
      id               TEXT PRIMARY KEY,
      idempotency_key  TEXT NOT NULL UNIQUE,
      card_id          TEXT NOT NULL REFERENCES cards(id),
      old_phone        TEXT NOT NULL,
      new_phone        TEXT NOT NULL,
      conversation_id  TEXT NOT NULL,
      at               INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS bank_audit (
      id    INTEGER PRIMARY KEY AUTOINCREMENT,
      at    INTEGER NOT NULL,
      type  TEXT NOT NULL,
      data  TEXT NOT NULL CHECK (json_valid(data))
    );
  `);
}

/** Card numbers are compared as digits only; ID numbers upper-case (the trailing 'x' of a resident ID). */
const normaliseCard = (n: string): string => n.replace(/[\s-]/g, '');
const normaliseId = (n: string): string => n.trim().toUpperCase();

/** Equality whose time does not depend on where the strings first differ (both sides are hashed). */
function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Compared against when the card is unknown, so both paths do the same work. Matches no claim. */
const NO_CARD: CardRow = {
  card_id: '',
  card_number: '',
  phone: '\u0000no-phone',
  card_status: 'lost',
  customer_id: '',
  id_type: 'PASSPORT',
  id_number: '\u0000no-id',
  customer_status: 'frozen',
};

export function createSqliteBankCore({
  db,
  clock = Date.now,
  newId = () => randomUUID(),
  durable,
}: SqliteBankCoreOptions): SqliteBankCore {
  migrateBankSchema(db);

  const q = {
    cardByNumber: db.prepare<[string], CardRow>(`
      SELECT c.id AS card_id, c.number AS card_number, c.phone, c.status AS card_status,
             u.id AS customer_id, u.id_type, u.id_number, u.status AS customer_status
        FROM cards c JOIN customers u ON u.id = c.customer_id
       WHERE c.number = ?`),
    cardById: db.prepare<[string], CardRow>(`
      SELECT c.id AS card_id, c.number AS card_number, c.phone, c.status AS card_status,
             u.id AS customer_id, u.id_type, u.id_number, u.status AS customer_status
        FROM cards c JOIN customers u ON u.id = c.customer_id
       WHERE c.id = ?`),
    holders: db.prepare<[string], { customer_id: string }>(
      'SELECT DISTINCT customer_id FROM cards WHERE phone = ?',
    ),
    changeByKey: db.prepare<[string], { id: string; at: number }>(
      'SELECT id, at FROM phone_changes WHERE idempotency_key = ?',
    ),
    updatePhone: db.prepare<[string, string]>('UPDATE cards SET phone = ? WHERE id = ?'),
    insertChange: db.prepare<[string, string, string, string, string, string, number]>(`
      INSERT INTO phone_changes (id, idempotency_key, card_id, old_phone, new_phone, conversation_id, at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    insertAudit: db.prepare<[number, string, string]>('INSERT INTO bank_audit (at, type, data) VALUES (?, ?, ?)'),
    allAudit: db.prepare<[], { id: number; at: number; type: AuditRow['type']; data: string }>(
      'SELECT id, at, type, data FROM bank_audit ORDER BY id',
    ),
    anyCustomer: db.prepare<[], { one: number }>('SELECT 1 AS one FROM customers LIMIT 1'),
    insertCustomer: db.prepare<[string, string, string, string, string]>(
      'INSERT INTO customers (id, name, id_type, id_number, status) VALUES (?, ?, ?, ?, ?)',
    ),
    insertCard: db.prepare<[string, string, string, string, string]>(
      'INSERT INTO cards (id, customer_id, number, phone, status) VALUES (?, ?, ?, ?, ?)',
    ),
  };

  const audit = (at: number, type: AuditRow['type'], data: Record<string, unknown>): void => {
    q.insertAudit.run(at, type, JSON.stringify(data));
  };

  const isEmpty = (): boolean => q.anyCustomer.get() === undefined;

  const seedTx = db.transaction((seed: BankSeed): void => {
    if (!isEmpty()) return;
    let cards = 0;
    for (const customer of seed.customers) {
      const customerId = newId();
      q.insertCustomer.run(customerId, customer.name, customer.idType, normaliseId(customer.idNumber), customer.status);
      for (const card of customer.cards) {
        q.insertCard.run(newId(), customerId, normaliseCard(card.number), card.phone, card.status);
        cards += 1;
      }
    }
    audit(clock(), 'bank.seeded', { customers: seed.customers.length, cards });
  });

  const changeTx = db.transaction((req: ChangeRequest): ChangeResult => {
    const done = q.changeByKey.get(req.idempotencyKey);
    if (done) return { status: 'changed', changeId: done.id, at: done.at, firstTime: false };

    const at = clock();
    const card = q.cardById.get(req.cardId);
    const reason: ConflictReason | undefined = !card
      ? 'unknownCard'
      : card.card_status !== 'active'
        ? 'cardNotActive'
        : card.customer_status !== 'active'
          ? 'customerNotActive'
          : card.phone !== req.oldPhone
            ? 'phoneChanged'
            : undefined;
    if (!card || reason) {
      audit(at, 'change.conflict', {
        reason,
        card: card ? maskCard(card.card_number) : undefined,
        oldPhone: maskPhone(req.oldPhone),
        newPhone: maskPhone(req.newPhone),
        conversationId: req.conversationId,
      });
      return { status: 'conflict' };
    }

    const changeId = newId();
    q.updatePhone.run(req.newPhone, card.card_id);
    q.insertChange.run(changeId, req.idempotencyKey, card.card_id, req.oldPhone, req.newPhone, req.conversationId, at);
    audit(at, 'phone.changed', {
      changeId,
      card: maskCard(card.card_number),
      oldPhone: maskPhone(req.oldPhone),
      newPhone: maskPhone(req.newPhone),
      conversationId: req.conversationId,
    });
    return { status: 'changed', changeId, at, firstTime: true };
  });

  return {
    async verifyIdentity(claim: IdentityClaim): Promise<IdentityResult> {
      // One lookup either way; an unknown card is compared against NO_CARD so the work done is the same.
      const row = q.cardByNumber.get(normaliseCard(claim.cardNumber));
      const card = row ?? NO_CARD;
      const idMatches = sameSecret(`${card.id_type}:${card.id_number}`, `${claim.idType}:${normaliseId(claim.idNumber)}`);
      const phoneMatches = sameSecret(card.phone, claim.phone);
      if (!row || !idMatches || !phoneMatches) return { match: false };
      const standing =
        row.customer_status === 'frozen'
          ? 'customerFrozen'
          : row.card_status === 'frozen'
            ? 'cardFrozen'
            : row.card_status === 'lost'
              ? 'cardLost'
              : 'ok';
      return { match: true, customerId: row.customer_id, cardId: row.card_id, standing };
    },

    async phoneOwner(customerId: string, phone: string): Promise<'none' | 'self' | 'other'> {
      const holders = q.holders.all(phone);
      if (holders.some((h) => h.customer_id !== customerId)) return 'other';
      return holders.length > 0 ? 'self' : 'none';
    },

    async changeBoundPhone(req: ChangeRequest): Promise<ChangeResult> {
      // IMMEDIATE takes the write lock up front: two processes cannot both pass the checks.
      const result = changeTx.immediate(req);
      // Answered only once on disk: a change the caller records as made is never lost by a crash.
      await durable?.();
      return result;
    },

    async boundPhone(cardNumber: string): Promise<string | undefined> {
      return q.cardByNumber.get(normaliseCard(cardNumber))?.phone;
    },

    seed(seed: BankSeed): void {
      seedTx.immediate(seed);
    },

    isEmpty,

    auditTrail(): AuditRow[] {
      return q.allAudit.all().map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
    },

    close(): void {
      if (db.open) db.close();
    },
  };
}
