import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import type { Db } from '../sqlite/openDatabase';
import type { HandoffReason, Locale, RequestAgentInput } from '../../dialogs/types';

export interface HandoffRequest {
  ticket: string;
  conversationId: string;
  reason: HandoffReason;
  locale: Locale;
  /** Masked context: what was collected and which checks passed. */
  context: RequestAgentInput['context'];
  at: number;
  status: 'waiting';
}

export interface HandoffService {
  request(input: RequestAgentInput): Promise<{ ticket: string }>;
  list(): HandoffRequest[];
}

/** Tickets a customer can read out on the phone: no 0/O/1/I. */
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export function newTicket(bytes: (n: number) => Buffer = randomBytes): string {
  const raw = bytes(8);
  let out = '';
  for (const b of raw) out += ALPHABET[b % ALPHABET.length];
  return `H${out}`;
}

/**
 * Records a request for a person with the masked context, so an agent starts where the bot stopped.
 * The live queue and agent console build on these records.
 */
export function createHandoffService({
  db,
  clock = Date.now,
  ticket = () => newTicket(),
}: {
  db: Db;
  clock?: Clock;
  ticket?: () => string;
}): HandoffService {
  db.exec(`CREATE TABLE IF NOT EXISTS handoff_requests (
    ticket TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    locale TEXT NOT NULL,
    context TEXT NOT NULL,
    at INTEGER NOT NULL,
    status TEXT NOT NULL
  )`);
  const insert = db.prepare(
    'INSERT INTO handoff_requests (ticket, conversation_id, reason, locale, context, at, status) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const all = db.prepare('SELECT * FROM handoff_requests ORDER BY at, ticket');
  type Row = { ticket: string; conversation_id: string; reason: HandoffReason; locale: Locale; context: string; at: number };
  return {
    async request(input) {
      const t = ticket();
      insert.run(t, input.conversationId, input.reason, input.locale, JSON.stringify(input.context), clock(), 'waiting');
      return { ticket: t };
    },
    list() {
      return (all.all() as Row[]).map((r) => ({
        ticket: r.ticket,
        conversationId: r.conversation_id,
        reason: r.reason,
        locale: r.locale,
        context: JSON.parse(r.context) as RequestAgentInput['context'],
        at: r.at,
        status: 'waiting' as const,
      }));
    },
  };
}
