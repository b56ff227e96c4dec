import type { ChartEvent } from '../dialogs/types';
import type { HandoffQueue, QueueEvent } from '../services/handoff';
import type { Logger } from '../services/platform/log';
import type { RebindBot } from './RebindBot';

export interface HandoffRelay {
  /** Resolves when every delivery started so far has finished (tests, shutdown). */
  idle(): Promise<void>;
  stop(): void;
}

/**
 * The agent side reaching the customer: each queue event that concerns a conversation becomes a
 * chart event, delivered in a proactive turn (in order, one turn at a time per conversation).
 */
export function startHandoffRelay({
  queue,
  bot,
  agentName,
  logger,
  claimDelivery,
}: {
  queue: HandoffQueue;
  bot: Pick<RebindBot, 'notify'>;
  agentName: (agentId: string) => string;
  logger?: Logger;
  /**
   * With several instances every one hears every queue event; the one that claims an event's id
   * delivers it. Alone, every event is this instance's to deliver.
   */
  claimDelivery?: (eventId: string) => Promise<boolean>;
}): HandoffRelay {
  const pending = new Set<Promise<unknown>>();

  /** Delivers `event` to the conversation in a proactive turn; `id` names the queue event it came from. */
  const deliver = (id: string, conversationId: string, event: ChartEvent) => {
    const p = (claimDelivery && id ? claimDelivery(`${id}/${conversationId}`) : Promise.resolve(true))
      .then((mine) => (mine ? bot.notify(conversationId, [event]) : true))
      .then((reached) => {
        if (!reached) logger?.warn('handoff relay: conversation not reachable', { event: event.type });
      })
      .catch((error: unknown) => logger?.error('handoff relay failed', { event: event.type, error: String(error) }))
      .finally(() => pending.delete(p));
    pending.add(p);
  };

  const onEvent = (event: QueueEvent, meta?: { id: string }) => {
    const id = meta?.id ?? '';
    switch (event.type) {
      case 'claimed': {
        const t = event.ticket;
        deliver(id, t.conversationId, { type: 'AGENT_JOINED', ticket: t.ticket, agentName: agentName(t.agentId ?? '') });
        return;
      }
      case 'message': {
        if (event.line.from !== 'agent') return;
        deliver(id, event.conversationId, {
          type: 'AGENT_SAID',
          ticket: event.ticket,
          agentName: agentName(event.agentId ?? ''),
          text: event.line.text,
        });
        return;
      }
      case 'moved':
        for (const w of event.waiting) {
          deliver(id, w.conversationId, { type: 'QUEUE_MOVED', ticket: w.ticket, position: w.position, waitMinutes: w.waitMinutes });
        }
        return;
      case 'closed':
      case 'returned':
        deliver(id, event.ticket.conversationId, {
          type: 'AGENT_LEFT',
          ticket: event.ticket.ticket,
          how: event.type === 'closed' ? 'closed' : 'returned',
        });
        return;
      default:
        // queued and cancelled come from the customer's own turn; callbacks are for agents only.
        return;
    }
  };

  const unsubscribe = queue.on(onEvent);
  return {
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    stop: unsubscribe,
  };
}
