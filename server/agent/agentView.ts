import type { Callback, HandoffQueue, QueueEvent, Ticket } from '../../services/handoff';
import type { AgentPresence } from '../../services/handoff/agents';

/** A waiting ticket as the console lists it: with its place in the queue. */
export type WaitingTicket = Ticket & { position: number; waitMinutes: number };

/** What the console needs to draw itself: the stream's first event, and `GET /agent/api/state`. */
export interface ConsoleSnapshot {
  /** Every waiting ticket, with its transcript, in queue order. */
  waiting: WaitingTicket[];
  /** The agent's own conversations (`withAgent`), oldest claim first. */
  mine: Ticket[];
  /** Open callback requests, oldest first. */
  callbacks: Callback[];
  agentsOnline: number;
}

export async function snapshotFor(
  queue: HandoffQueue,
  presence: AgentPresence,
  agentId: string,
): Promise<ConsoleSnapshot> {
  const [positions, waitingTickets, mine, callbacks] = await Promise.all([
    queue.positions(),
    queue.waiting(),
    queue.ofAgent(agentId),
    queue.callbacks(),
  ]);
  const places = new Map(positions.map((p) => [p.ticket, p]));
  const waiting = waitingTickets.map((t, i): WaitingTicket => {
    const place = places.get(t.ticket);
    return { ...t, position: place?.position ?? i + 1, waitMinutes: place?.waitMinutes ?? 0 };
  });
  return { waiting, mine, callbacks, agentsOnline: presence.online() };
}

/**
 * A ticket as one agent may see it. Waiting tickets (no holder yet) are everyone's to read; a claimed
 * one's conversation belongs to its holder: other agents learn only that it moved on, without its
 * transcript or the holder's closing note.
 */
export function ticketFor(ticket: Ticket, agentId: string): Ticket {
  if (ticket.agentId === undefined || ticket.agentId === agentId) return ticket;
  const { resolution: _note, ...rest } = ticket;
  return { ...rest, transcript: [] };
}

/** An event for the stream: its name and data (the queue event without `type`). */
export interface ConsoleEvent {
  name: string;
  data: object;
}

/**
 * What one agent receives of a queue event, or undefined for nothing: a new line of a waiting ticket
 * goes to everyone, a line of a claimed one to its holder only.
 */
export function eventFor(event: QueueEvent, agentId: string): ConsoleEvent | undefined {
  switch (event.type) {
    case 'queued':
    case 'claimed':
    case 'closed':
    case 'returned':
    case 'cancelled':
      return { name: event.type, data: { ticket: ticketFor(event.ticket, agentId) } };
    case 'message':
      if (event.agentId !== undefined && event.agentId !== agentId) return undefined;
      return { name: 'message', data: { ticket: event.ticket, line: event.line } };
    case 'moved':
      return { name: 'moved', data: { waiting: event.waiting } };
    case 'callback':
      return { name: 'callback', data: { callback: event.callback } };
  }
}
