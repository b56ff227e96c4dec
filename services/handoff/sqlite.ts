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
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../domain/clock';
import type { HandoffReason } from '../../domain/handoffReason';
import type { Locale } from '../../domain/locale';
import { maskDigitsInText } from '../../domain/mask';
import type { MaskedSummary } from '../../domain/maskedSummary';
import type { Db } from '../platform/openDatabase';
import type { TranscriptLine } from '../transcripts';
import {
  FIRST_IN_LINE,
  QueueError,
  type Callback,
  type CallbackRequest,
  type CancelResult,
  type ClaimResult,
  type Enqueued,
  type EnqueueInput,
  type HandoffQueue,
  type QueueEvent,
  type QueueListener,
  type Ticket,
  type TicketStatus,
  type WaitingPosition,
} from './index';
import { createLocalEventBus, type QueueEventBus } from './localEventBus';
import { maskLine, remaskSummary } from './masking';
import { newTicket } from './ticket';

/**
 * The SQLite queue: the port's operations, synchronous like better-sqlite3 underneath, so each runs
 * in one IMMEDIATE transaction (see `HandoffQueue` in index.ts for what each does; refusals throw
 * QueueError). The app uses it through `asyncQueue`.
 */
export interface SqliteHandoffQueue {
  enqueue(input: EnqueueInput): Enqueued;
  position(ticket: string): { position: number; waitMinutes: number } | undefined;
  positions(): WaitingPosition[];
  waiting(): Ticket[];
  ofAgent(agentId: string): Ticket[];
  get(ticket: string): Ticket | undefined;
  openFor(conversationId: string): Ticket | undefined;
  claim(ticket: string, agentId: string): ClaimResult;
  addLine(ticket: string, line: { from: TranscriptLine['from']; text: string; at?: number }): TranscriptLine;
  close(ticket: string, agentId: string, resolution: string): Ticket;
  handBack(ticket: string, agentId: string): Ticket;
  cancel(ticket: string): CancelResult;
  requestCallback(input: CallbackRequest): Callback;
  callbacks(): Callback[];
  completeCallback(id: string, agentId: string): Callback;
  rate(ticket: string, stars: number): boolean;
  purgeTranscriptsBefore(cutoffMs: number): number;
  forgetTranscripts(conversationId: string): number;
  on(listener: QueueListener): () => void;
}

export interface SqliteHandoffQueueOptions {
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

export function createSqliteHandoffQueue({
  db,
  clock = Date.now,
  newTicket: makeTicket = () => newTicket(),
  newId = () => randomUUID(),
  averageHandleMinutes = 5,
  agentsOnline = () => 1,
  events = createLocalEventBus(),
}: SqliteHandoffQueueOptions): SqliteHandoffQueue {
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
