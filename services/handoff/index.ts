/**
 * The live queue of conversations waiting for a person: customers wait in order, an agent claims one
 * (exactly one agent wins a race), talks, then closes it or hands it back to the bot. Customers who
 * would rather not wait leave a callback. Everything stored is masked again by the queue (`masking.ts`),
 * whatever the caller did.
 *
 * The port, `HandoffQueue`, is what the bot, the chart's effects and the agent console use. Adapters:
 * `sqlite.ts` (one machine; synchronous underneath, behind `asyncQueue`), `redis.ts` (several instances:
 * every change is one script that also publishes its events). `queueContract.test.ts` runs both.
 * Agents and their hours: `agents.ts`, `agentHours.ts`.
 */
import type { HandoffReason } from '../../domain/handoffReason';
import type { Locale } from '../../domain/locale';
import type { MaskedSummary } from '../../domain/maskedSummary';
import type { TranscriptLine } from '../transcripts';

export type TicketStatus = 'waiting' | 'withAgent' | 'closed' | 'returned' | 'cancelled';

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

/**
 * The queue as the app uses it, whatever stores it (SQLite on one machine, Redis for several): every
 * operation is asynchronous, refusals reject with QueueError, and `on` subscribes to events.
 */
export interface HandoffQueue {
  /** Queues the conversation, or returns its open (waiting or withAgent) ticket. */
  enqueue(input: EnqueueInput): Promise<Enqueued>;
  /** 1-based place among waiting tickets; undefined when the ticket is not waiting. */
  position(ticket: string): Promise<{ position: number; waitMinutes: number } | undefined>;
  /** Every waiting ticket's place, in queue order (what `moved` carries). */
  positions(): Promise<WaitingPosition[]>;
  waiting(): Promise<Ticket[]>;
  /** The agent's `withAgent` tickets, oldest claim first. */
  ofAgent(agentId: string): Promise<Ticket[]>;
  get(ticket: string): Promise<Ticket | undefined>;
  /** The conversation's waiting or withAgent ticket. */
  openFor(conversationId: string): Promise<Ticket | undefined>;
  /** Atomic: of agents racing for one ticket exactly one wins. The holder claiming again gets ok. */
  claim(ticket: string, agentId: string): Promise<ClaimResult>;
  /** Appends a (masked) line; rejects with QueueError for unknown or ended tickets. `at` defaults to now. */
  addLine(ticket: string, line: { from: TranscriptLine['from']; text: string; at?: number }): Promise<TranscriptLine>;
  /** Only the holder; rejects with QueueError otherwise. */
  close(ticket: string, agentId: string, resolution: string): Promise<Ticket>;
  /** Back to the bot. Only the holder; rejects with QueueError otherwise. */
  handBack(ticket: string, agentId: string): Promise<Ticket>;
  /** The customer stops waiting; only a waiting ticket (a claim may have won the race). */
  cancel(ticket: string): Promise<CancelResult>;
  /** Records a callback, or returns the conversation's open one. */
  requestCallback(input: CallbackRequest): Promise<Callback>;
  /** Open callbacks, oldest first. */
  callbacks(): Promise<Callback[]>;
  /** Rejects with QueueError for an unknown or already completed callback. */
  completeCallback(id: string, agentId: string): Promise<Callback>;
  /** The customer's rating of an ended ticket (1–5); the first one counts. False if not recorded. */
  rate(ticket: string, stars: number): Promise<boolean>;
  /**
   * Retention: blanks the transcript copy (to []) of every ticket that ended (closed, returned,
   * cancelled) before `cutoffMs`; the rest of the ticket stays. Resolves to how many were blanked.
   */
  purgeTranscriptsBefore(cutoffMs: number): Promise<number>;
  /** Deletion on request: blanks the transcript copy of every ticket of the conversation, open or not. */
  forgetTranscripts(conversationId: string): Promise<number>;
  /** Every event of the queue, from now on; returns the unsubscribe. */
  on(listener: QueueListener): () => void;
}

/**
 * Reasons that go to the front of the queue (behind others with the same reason, in their order): a
 * customer whose number is in someone else's hands may be losing money while they wait.
 */
export const FIRST_IN_LINE: ReadonlySet<HandoffReason> = new Set<HandoffReason>(['numberCompromised']);
