/**
 * The live queue of conversations waiting for a person, on SQLite: customers wait in order, an agent
 * claims one (exactly one agent wins a race, also across processes sharing the file), talks, then
 * closes it or hands it back to the bot. Customers who would rather not wait leave a callback.
 *
 * Everything stored is masked: transcript lines, the context and free text go through
 * `maskDigitsInText` again here, whatever the caller did (defence in depth).
 *
 * Synchronous, like better-sqlite3 underneath: every change runs in one IMMEDIATE transaction, and
 * its events are published after the commit, in order.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import { createLogger } from '../log';
import { maskDigitsInText } from '../mask';
import type { Db } from '../sqlite/openDatabase';
import type { HandoffReason, Locale, MaskedSummary } from '../../dialogs/types';

/** Tickets a customer can read out on the phone: no 0/O/1/I. */
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export function newTicket(bytes: (n: number) => Buffer = randomBytes): string {
  let out = '';
  for (const b of bytes(8)) out += ALPHABET[b % ALPHABET.length];
  return `H${out}`;
}

export type TicketStatus = 'waiting' | 'withAgent' | 'closed' | 'returned' | 'cancelled';

/** One line of the conversation an agent sees. `text` is always masked. */
export interface TranscriptLine {
  at: number;
  from: 'customer' | 'bot' | 'agent';
  text: string;
}

export interface Ticket {
  ticket: string;
  conversationId: string;
  reason: HandoffReason;
  locale: Locale;
  context: MaskedSummary;
  transcript: TranscriptLine[];
  requestedAt: number;
  status: TicketStatus;
  /** Who claimed it (kept after it is closed or handed back). */
  agentId?: string;
  claimedAt?: number;
  /** When it ended: closed, handed back or cancelled. */
  closedAt?: number;
  /** The agent's note on close (masked). */
  resolution?: string;
  /** The customer's rating afterwards, 1–5. */
  rating?: number;
}

export interface Callback {
  id: string;
  conversationId: string;
  locale: Locale;
  reason: HandoffReason;
  context: MaskedSummary;
  /** The customer's words for when to call (masked). */
  preferredTime: string;
  requestedAt: number;
  status: 'open' | 'done';
  doneBy?: string;
  doneAt?: number;
}

/** A waiting ticket's place in the queue. */
export interface WaitingPosition {
  ticket: string;
  conversationId: string;
  position: number;
  waitMinutes: number;
}

export type QueueEvent =
  | { type: 'queued'; ticket: Ticket }
  | { type: 'claimed'; ticket: Ticket }
  /** A line was added; with whose conversation it is and who holds it (none while it waits). */
  | { type: 'message'; ticket: string; conversationId: string; agentId?: string; line: TranscriptLine }
  | { type: 'closed'; ticket: Ticket }
  | { type: 'returned'; ticket: Ticket }
  | { type: 'cancelled'; ticket: Ticket }
  /** Every waiting ticket's new place, after the queue changed (possibly an empty list). */
  | { type: 'moved'; waiting: WaitingPosition[] }
  /** A callback was requested (status open) or completed (status done). */
  | { type: 'callback'; callback: Callback };

/** About one event as delivered. */
export interface QueueEventMeta {
  /**
   * Unique per event, across processes: a listener that hears the same event through several paths
   * (every bot instance hears every event on a shared bus) acts on it once.
   */
  id: string;
}

export type QueueListener = (event: QueueEvent, meta: QueueEventMeta) => void;

/**
 * Where the SQLite queue's events go; the bus gives each published event its id. (The Redis queue
 * does not use a bus: its scripts publish the events with the change, see `redisQueue.ts`.)
 */
export interface QueueEventBus {
  publish(event: QueueEvent): void;
  subscribe(listener: QueueListener): () => void;
}

/**
 * Listeners in this process, called synchronously in subscription order. A listener that throws
 * does not stop the others or undo the change (it is committed): the error goes to `onListenerError`.
 * Event ids are a random prefix (unique per bus) and a counter.
 */
export function createLocalEventBus({
  onListenerError = (error: unknown, event: QueueEvent) =>
    createLogger().error('handoff queue listener failed', { event: event.type, error: String(error) }),
  newEventId = eventIds(),
}: {
  onListenerError?: (error: unknown, event: QueueEvent) => void;
  newEventId?: () => string;
} = {}): QueueEventBus {
  const listeners = new Set<QueueListener>();
  return {
    publish(event) {
      // One frozen meta for every listener: none can change the id the others see.
      const meta: QueueEventMeta = Object.freeze({ id: newEventId() });
      for (const listener of [...listeners]) {
        try {
          listener(event, meta);
        } catch (error) {
          onListenerError(error, event);
        }
      }
    },
    subscribe(listener) {
      // A wrapper, so the same function subscribed twice is two subscriptions, each undone on its own.
      const entry: QueueListener = (event, meta) => listener(event, meta);
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
  };
}

/** `<random>-1`, `<random>-2`, …: the random part keeps two processes' ids apart. */
function eventIds(): () => string {
  const base = randomBytes(8).toString('hex');
  let n = 0;
  return () => `${base}-${++n}`;
}

export type QueueErrorCode =
  /** No ticket with that id. */
  | 'unknownTicket'
  /** The ticket is closed, handed back or cancelled. */
  | 'ticketEnded'
  /** The ticket is still waiting: nobody holds it yet. */
  | 'notClaimed'
  /** Another agent holds the ticket. */
  | 'notHolder'
  | 'unknownCallback'
  | 'callbackDone';

/** A queue operation refused; `code` says why. Nothing was changed. */
export class QueueError extends Error {
  override readonly name = 'QueueError';
  readonly code: QueueErrorCode;
  /** The ticket or callback id concerned. */
  readonly id: string;

  constructor(code: QueueErrorCode, id: string, options?: { cause?: unknown }) {
    super(`handoff queue: ${code} (${id})`, options);
    this.code = code;
    this.id = id;
  }
}

export interface EnqueueInput {
  conversationId: string;
  reason: HandoffReason;
  locale: Locale;
  context: MaskedSummary;
  /** The conversation so far, for the agent. Masked again before it is stored. */
  transcript?: TranscriptLine[];
}

export interface Enqueued {
  ticket: string;
  /** `withAgent` when the conversation was already with a person (position and wait are then 0). */
  status: 'waiting' | 'withAgent';
  position: number;
  waitMinutes: number;
  /** False when the conversation already had an open ticket and that one is returned. */
  created: boolean;
}

export type ClaimResult =
  | { ok: true; ticket: Ticket }
  | { ok: false; reason: 'taken' | 'notWaiting' | 'unknown' };

export type CancelResult = { ok: true; ticket: Ticket } | { ok: false; reason: 'notWaiting' | 'unknown' };

export interface CallbackRequest {
  conversationId: string;
  locale: Locale;
  reason: HandoffReason;
  context: MaskedSummary;
  preferredTime: string;
}

/** The SQLite queue: synchronous, like better-sqlite3 underneath. The app uses it through `HandoffQueue`. */
export interface SqliteHandoffQueue {
  /** Queues the conversation, or returns its open (waiting or withAgent) ticket. */
  enqueue(input: EnqueueInput): Enqueued;
  /** 1-based place among waiting tickets; undefined when the ticket is not waiting. */
  position(ticket: string): { position: number; waitMinutes: number } | undefined;
  /** Every waiting ticket's place, in queue order (what `moved` carries). */
  positions(): WaitingPosition[];
  waiting(): Ticket[];
  /** The agent's `withAgent` tickets, oldest claim first. */
  ofAgent(agentId: string): Ticket[];
  get(ticket: string): Ticket | undefined;
  /** The conversation's waiting or withAgent ticket. */
  openFor(conversationId: string): Ticket | undefined;
  /** Atomic: of agents racing for one ticket exactly one wins. The holder claiming again gets ok. */
  claim(ticket: string, agentId: string): ClaimResult;
  /** Appends a (masked) line; throws QueueError for unknown or ended tickets. `at` defaults to now. */
  addLine(ticket: string, line: { from: TranscriptLine['from']; text: string; at?: number }): TranscriptLine;
  /** Only the holder; throws QueueError otherwise. */
  close(ticket: string, agentId: string, resolution: string): Ticket;
  /** Back to the bot. Only the holder; throws QueueError otherwise. */
  handBack(ticket: string, agentId: string): Ticket;
  /** The customer stops waiting; only a waiting ticket (a claim may have won the race). */
  cancel(ticket: string): CancelResult;
  /** Records a callback, or returns the conversation's open one. */
  requestCallback(input: CallbackRequest): Callback;
  /** Open callbacks, oldest first. */
  callbacks(): Callback[];
  /** Throws QueueError for an unknown or already completed callback. */
  completeCallback(id: string, agentId: string): Callback;
  /** The customer's rating of an ended ticket (1–5); the first one counts. False if not recorded. */
  rate(ticket: string, stars: number): boolean;
  /**
   * Retention: blanks the transcript copy (to []) of every ticket that ended (closed, returned,
   * cancelled) before `cutoffMs`; the rest of the ticket stays. Returns how many tickets were blanked.
   */
  purgeTranscriptsBefore(cutoffMs: number): number;
  /** Deletion on request: blanks the transcript copy of every ticket of the conversation, open or not. */
  forgetTranscripts(conversationId: string): number;
  on(listener: QueueListener): () => void;
}

export interface HandoffQueueOptions {
  db: Db;
  clock?: Clock;
  newTicket?: () => string;
  newId?: () => string;
  /** Minutes an agent takes per conversation, for wait estimates. */
  averageHandleMinutes?: number;
  /** Agents taking conversations now, for wait estimates (read at each estimate). */
  agentsOnline?: () => number;
  events?: QueueEventBus;
}

/**
 * Reasons that go to the front of the queue (behind others with the same reason, in their order): a
 * customer whose number is in someone else's hands may be losing money while they wait.
 */
export const FIRST_IN_LINE: ReadonlySet<HandoffReason> = new Set<HandoffReason>(['numberCompromised']);

/** Creates the queue's tables if they are missing. Safe to run at every start, from any process. */
export function migrateHandoffQueue(db: Db): void {
  db.transaction(() => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS handoff_tickets (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        ticket TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        locale TEXT NOT NULL,
        context TEXT NOT NULL CHECK (json_valid(context)),
        transcript TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(transcript)),
        requested_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('waiting', 'withAgent', 'closed', 'returned', 'cancelled')),
        agent_id TEXT,
        claimed_at INTEGER,
        closed_at INTEGER,
        resolution TEXT,
        rating INTEGER CHECK (rating BETWEEN 1 AND 5)
      );
      CREATE UNIQUE INDEX IF NOT EXISTS handoff_tickets_one_open
        ON handoff_tickets (conversation_id) WHERE status IN ('waiting', 'withAgent');
      CREATE INDEX IF NOT EXISTS handoff_tickets_queue ON handoff_tickets (status, requested_at, seq);
      CREATE INDEX IF NOT EXISTS handoff_tickets_agent ON handoff_tickets (agent_id, status);

      CREATE TABLE IF NOT EXISTS handoff_callbacks (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL,
        locale TEXT NOT NULL,
        reason TEXT NOT NULL,
        context TEXT NOT NULL CHECK (json_valid(context)),
        preferred_time TEXT NOT NULL,
        requested_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'done')),
        done_by TEXT,
        done_at INTEGER
      );
      CREATE UNIQUE INDEX IF NOT EXISTS handoff_callbacks_one_open
        ON handoff_callbacks (conversation_id) WHERE status = 'open';
    `);
  }).immediate();
  // Tables made before ratings existed.
  const columns = db.prepare("SELECT name FROM pragma_table_info('handoff_tickets')").all() as Array<{ name: string }>;
  if (!columns.some((c) => c.name === 'rating')) {
    db.exec('ALTER TABLE handoff_tickets ADD COLUMN rating INTEGER CHECK (rating BETWEEN 1 AND 5)');
  }
  // Tables made before some reasons went first (FIRST_IN_LINE): 1 goes before 0.
  if (!columns.some((c) => c.name === 'priority')) {
    db.exec('ALTER TABLE handoff_tickets ADD COLUMN priority INTEGER NOT NULL DEFAULT 0');
  }
}

type TicketRow = {
  seq: number;
  ticket: string;
  conversation_id: string;
  reason: HandoffReason;
  locale: Locale;
  context: string;
  transcript: string;
  requested_at: number;
  status: TicketStatus;
  agent_id: string | null;
  claimed_at: number | null;
  closed_at: number | null;
  resolution: string | null;
  rating: number | null;
};

type CallbackRow = {
  id: string;
  conversation_id: string;
  locale: Locale;
  reason: HandoffReason;
  context: string;
  preferred_time: string;
  requested_at: number;
  status: 'open' | 'done';
  done_by: string | null;
  done_at: number | null;
};

function toTicket(r: TicketRow): Ticket {
  const t: Ticket = {
    ticket: r.ticket,
    conversationId: r.conversation_id,
    reason: r.reason,
    locale: r.locale,
    context: JSON.parse(r.context) as MaskedSummary,
    transcript: JSON.parse(r.transcript) as TranscriptLine[],
    requestedAt: r.requested_at,
    status: r.status,
  };
  if (r.agent_id !== null) t.agentId = r.agent_id;
  if (r.claimed_at !== null) t.claimedAt = r.claimed_at;
  if (r.closed_at !== null) t.closedAt = r.closed_at;
  if (r.resolution !== null) t.resolution = r.resolution;
  if (r.rating !== null) t.rating = r.rating;
  return t;
}

function toCallback(r: CallbackRow): Callback {
  const c: Callback = {
    id: r.id,
    conversationId: r.conversation_id,
    locale: r.locale,
    reason: r.reason,
    context: JSON.parse(r.context) as MaskedSummary,
    preferredTime: r.preferred_time,
    requestedAt: r.requested_at,
    status: r.status,
  };
  if (r.done_by !== null) c.doneBy = r.done_by;
  if (r.done_at !== null) c.doneAt = r.done_at;
  return c;
}

/** The summary's free-text fields masked again: already-masked values come out unchanged. */
export function remaskSummary(context: MaskedSummary): MaskedSummary {
  const out: MaskedSummary = { ...context };
  for (const field of ['card', 'idNumber', 'oldPhone', 'newPhone'] as const) {
    const value = out[field];
    if (value !== undefined) out[field] = maskDigitsInText(value);
  }
  return out;
}

/** A transcript line with every number in its text masked (both queues store only this). */
export function maskLine(line: TranscriptLine): TranscriptLine {
  return { at: line.at, from: line.from, text: maskDigitsInText(line.text) };
}

export function createSqliteHandoffQueue({
  db,
  clock = Date.now,
  newTicket: makeTicket = () => newTicket(),
  newId = () => randomUUID(),
  averageHandleMinutes = 5,
  agentsOnline = () => 1,
  events = createLocalEventBus(),
}: HandoffQueueOptions): SqliteHandoffQueue {
  if (!(averageHandleMinutes > 0) || !Number.isFinite(averageHandleMinutes)) {
    throw new RangeError('averageHandleMinutes must be a positive number');
  }
  migrateHandoffQueue(db);

  const sql = {
    byTicket: db.prepare('SELECT * FROM handoff_tickets WHERE ticket = ?'),
    openFor: db.prepare(
      "SELECT * FROM handoff_tickets WHERE conversation_id = ? AND status IN ('waiting', 'withAgent')",
    ),
    waiting: db.prepare("SELECT * FROM handoff_tickets WHERE status = 'waiting' ORDER BY priority DESC, requested_at, seq"),
    ofAgent: db.prepare(
      "SELECT * FROM handoff_tickets WHERE agent_id = ? AND status = 'withAgent' ORDER BY claimed_at, seq",
    ),
    position: db.prepare(`
      SELECT COUNT(*) AS n FROM handoff_tickets t JOIN handoff_tickets w
        ON w.status = 'waiting'
        AND (w.priority > t.priority OR (w.priority = t.priority
          AND (w.requested_at < t.requested_at OR (w.requested_at = t.requested_at AND w.seq <= t.seq))))
      WHERE t.ticket = ? AND t.status = 'waiting'`),
    insert: db.prepare(`
      INSERT INTO handoff_tickets (ticket, conversation_id, reason, locale, context, transcript, requested_at, status, priority)
      VALUES (?, ?, ?, ?, ?, ?, ?, 'waiting', ?)`),
    claim: db.prepare(`
      UPDATE handoff_tickets SET status = 'withAgent', agent_id = ?, claimed_at = ?
      WHERE ticket = ? AND status = 'waiting'`),
    addLine: db.prepare(`
      UPDATE handoff_tickets SET transcript = json_insert(transcript, '$[#]', json(?))
      WHERE ticket = ? AND status IN ('waiting', 'withAgent')`),
    end: db.prepare(`
      UPDATE handoff_tickets SET status = ?, closed_at = ?, resolution = ?
      WHERE ticket = ? AND status = 'withAgent' AND agent_id = ?`),
    cancel: db.prepare(
      "UPDATE handoff_tickets SET status = 'cancelled', closed_at = ? WHERE ticket = ? AND status = 'waiting'",
    ),
    callbackById: db.prepare('SELECT * FROM handoff_callbacks WHERE id = ?'),
    openCallbackFor: db.prepare("SELECT * FROM handoff_callbacks WHERE conversation_id = ? AND status = 'open'"),
    openCallbacks: db.prepare("SELECT * FROM handoff_callbacks WHERE status = 'open' ORDER BY requested_at, seq"),
    insertCallback: db.prepare(`
      INSERT INTO handoff_callbacks (id, conversation_id, locale, reason, context, preferred_time, requested_at, status)
      VALUES (?, ?, ?, ?, ?, ?, ?, 'open')`),
    rate: db.prepare(
      "UPDATE handoff_tickets SET rating = ? WHERE ticket = ? AND rating IS NULL AND status IN ('closed', 'returned')",
    ),
    completeCallback: db.prepare(
      "UPDATE handoff_callbacks SET status = 'done', done_by = ?, done_at = ? WHERE id = ? AND status = 'open'",
    ),
    purgeTranscripts: db.prepare(`
      UPDATE handoff_tickets SET transcript = '[]'
      WHERE status IN ('closed', 'returned', 'cancelled') AND closed_at < ? AND transcript <> '[]'`),
    forgetTranscripts: db.prepare(
      "UPDATE handoff_tickets SET transcript = '[]' WHERE conversation_id = ? AND transcript <> '[]'",
    ),
  };

  const row = (ticket: string) => sql.byTicket.get(ticket) as TicketRow | undefined;
  const mustGet = (ticket: string): Ticket => {
    const r = row(ticket);
    if (r === undefined) throw new QueueError('unknownTicket', ticket);
    return toTicket(r);
  };

  const waitFor = (position: number): number => {
    const online = agentsOnline();
    const agents = Number.isFinite(online) ? Math.max(1, Math.floor(online)) : 1;
    return Math.ceil((position * averageHandleMinutes) / agents);
  };
  const positionOf = (ticket: string) => {
    const { n } = sql.position.get(ticket) as { n: number };
    return n === 0 ? undefined : { position: n, waitMinutes: waitFor(n) };
  };
  const positions = (): WaitingPosition[] =>
    (sql.waiting.all() as TicketRow[]).map((r, i) => ({
      ticket: r.ticket,
      conversationId: r.conversation_id,
      position: i + 1,
      waitMinutes: waitFor(i + 1),
    }));

  /** Runs `change` in an IMMEDIATE transaction, then publishes the events it returned, in order. */
  function write<T>(change: () => { result: T; events: Array<QueueEvent | (() => QueueEvent)> }): T {
    const { result, events: pending } = db.transaction(() => {
      const done = change();
      // `moved` is computed inside the transaction, so it describes the queue right after this change.
      return { result: done.result, events: done.events.map((e) => (typeof e === 'function' ? e() : e)) };
    }).immediate();
    for (const event of pending) events.publish(event);
    return result;
  }
  const moved = (): QueueEvent => ({ type: 'moved', waiting: positions() });

  /** Why a guarded UPDATE on a ticket changed nothing. */
  function refusal(ticket: string, agentId: string): QueueError {
    const r = row(ticket);
    if (r === undefined) return new QueueError('unknownTicket', ticket);
    if (r.status === 'waiting') return new QueueError('notClaimed', ticket);
    if (r.status === 'withAgent' && r.agent_id !== agentId) return new QueueError('notHolder', ticket);
    return new QueueError('ticketEnded', ticket);
  }

  function end(ticket: string, agentId: string, status: 'closed' | 'returned', resolution: string | null): Ticket {
    return write(() => {
      if (sql.end.run(status, clock(), resolution, ticket, agentId).changes === 0) throw refusal(ticket, agentId);
      const t = mustGet(ticket);
      return { result: t, events: [{ type: status, ticket: t }] };
    });
  }

  return {
    enqueue({ conversationId, reason, locale, context, transcript = [] }) {
      return write<Enqueued>(() => {
        const open = sql.openFor.get(conversationId) as TicketRow | undefined;
        if (open !== undefined) {
          const at = open.status === 'waiting' ? positionOf(open.ticket) : undefined;
          return {
            result: {
              ticket: open.ticket,
              status: open.status === 'waiting' ? 'waiting' : 'withAgent',
              position: at?.position ?? 0,
              waitMinutes: at?.waitMinutes ?? 0,
              created: false,
            },
            events: [],
          };
        }
        const ticket = makeTicket();
        sql.insert.run(
          ticket,
          conversationId,
          reason,
          locale,
          JSON.stringify(remaskSummary(context)),
          JSON.stringify(transcript.map(maskLine)),
          clock(),
          FIRST_IN_LINE.has(reason) ? 1 : 0,
        );
        const at = positionOf(ticket);
        if (at === undefined) throw new Error(`handoff queue: ticket ${ticket} not waiting after insert`);
        return {
          result: { ticket, status: 'waiting', ...at, created: true },
          events: [{ type: 'queued', ticket: mustGet(ticket) }, moved],
        };
      });
    },

    position: positionOf,
    positions,
    waiting: () => (sql.waiting.all() as TicketRow[]).map(toTicket),
    ofAgent: (agentId) => (sql.ofAgent.all(agentId) as TicketRow[]).map(toTicket),
    get(ticket) {
      const r = row(ticket);
      return r === undefined ? undefined : toTicket(r);
    },
    openFor(conversationId) {
      const r = sql.openFor.get(conversationId) as TicketRow | undefined;
      return r === undefined ? undefined : toTicket(r);
    },

    claim(ticket, agentId) {
      return write<ClaimResult>(() => {
        if (sql.claim.run(agentId, clock(), ticket).changes === 1) {
          const t = mustGet(ticket);
          return { result: { ok: true, ticket: t }, events: [{ type: 'claimed', ticket: t }, moved] };
        }
        const r = row(ticket);
        if (r === undefined) return { result: { ok: false, reason: 'unknown' }, events: [] };
        if (r.status === 'withAgent' && r.agent_id === agentId) {
          return { result: { ok: true, ticket: toTicket(r) }, events: [] };
        }
        return { result: { ok: false, reason: r.status === 'withAgent' ? 'taken' : 'notWaiting' }, events: [] };
      });
    },

    addLine(ticket, { from, text, at = clock() }) {
      const line = maskLine({ at, from, text });
      return write(() => {
        if (sql.addLine.run(JSON.stringify(line), ticket).changes === 0) {
          throw new QueueError(row(ticket) === undefined ? 'unknownTicket' : 'ticketEnded', ticket);
        }
        const r = row(ticket) as TicketRow;
        const event: QueueEvent = {
          type: 'message',
          ticket,
          conversationId: r.conversation_id,
          ...(r.agent_id !== null && r.status === 'withAgent' ? { agentId: r.agent_id } : {}),
          line,
        };
        return { result: line, events: [event] };
      });
    },

    close: (ticket, agentId, resolution) => end(ticket, agentId, 'closed', maskDigitsInText(resolution)),
    handBack: (ticket, agentId) => end(ticket, agentId, 'returned', null),

    cancel(ticket) {
      return write<CancelResult>(() => {
        if (sql.cancel.run(clock(), ticket).changes === 0) {
          return { result: { ok: false, reason: row(ticket) === undefined ? 'unknown' : 'notWaiting' }, events: [] };
        }
        const t = mustGet(ticket);
        return { result: { ok: true, ticket: t }, events: [{ type: 'cancelled', ticket: t }, moved] };
      });
    },

    requestCallback({ conversationId, locale, reason, context, preferredTime }) {
      return write(() => {
        const open = sql.openCallbackFor.get(conversationId) as CallbackRow | undefined;
        if (open !== undefined) return { result: toCallback(open), events: [] };
        const id = newId();
        sql.insertCallback.run(
          id,
          conversationId,
          locale,
          reason,
          JSON.stringify(remaskSummary(context)),
          maskDigitsInText(preferredTime),
          clock(),
        );
        const callback = toCallback(sql.callbackById.get(id) as CallbackRow);
        return { result: callback, events: [{ type: 'callback', callback }] };
      });
    },

    callbacks: () => (sql.openCallbacks.all() as CallbackRow[]).map(toCallback),

    completeCallback(id, agentId) {
      return write(() => {
        if (sql.completeCallback.run(agentId, clock(), id).changes === 0) {
          throw new QueueError(sql.callbackById.get(id) === undefined ? 'unknownCallback' : 'callbackDone', id);
        }
        const callback = toCallback(sql.callbackById.get(id) as CallbackRow);
        return { result: callback, events: [{ type: 'callback', callback }] };
      });
    },

    rate(ticket, stars) {
      if (!Number.isInteger(stars) || stars < 1 || stars > 5) return false;
      return sql.rate.run(stars, ticket).changes === 1;
    },

    purgeTranscriptsBefore(cutoffMs) {
      if (!Number.isFinite(cutoffMs)) throw new RangeError(`handoff queue: not a time: ${String(cutoffMs)}`);
      return sql.purgeTranscripts.run(cutoffMs).changes;
    },
    forgetTranscripts: (conversationId) => sql.forgetTranscripts.run(conversationId).changes,

    on: (listener) => events.subscribe(listener),
  };
}

type Async<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : T[K];
};

/**
 * The queue as the app uses it, whatever stores it (SQLite on one machine, Redis for several):
 * every operation is asynchronous, refusals reject with QueueError, and `on` subscribes to events.
 */
export type HandoffQueue = Omit<Async<SqliteHandoffQueue>, 'on'> & Pick<SqliteHandoffQueue, 'on'>;

/** The SQLite queue behind the asynchronous port. */
export function asyncQueue(queue: SqliteHandoffQueue): HandoffQueue {
  const wrap =
    <A extends unknown[], R>(f: (...args: A) => R) =>
    async (...args: A): Promise<R> =>
      f(...args);
  return {
    enqueue: wrap(queue.enqueue),
    position: wrap(queue.position),
    positions: wrap(queue.positions),
    waiting: wrap(queue.waiting),
    ofAgent: wrap(queue.ofAgent),
    get: wrap(queue.get),
    openFor: wrap(queue.openFor),
    claim: wrap(queue.claim),
    addLine: wrap(queue.addLine),
    close: wrap(queue.close),
    handBack: wrap(queue.handBack),
    cancel: wrap(queue.cancel),
    requestCallback: wrap(queue.requestCallback),
    callbacks: wrap(queue.callbacks),
    completeCallback: wrap(queue.completeCallback),
    rate: wrap(queue.rate),
    purgeTranscriptsBefore: wrap(queue.purgeTranscriptsBefore),
    forgetTranscripts: wrap(queue.forgetTranscripts),
    on: queue.on,
  };
}
