import { randomBytes } from 'node:crypto';
import { createLogger } from '../platform/log';
import type { QueueEvent, QueueEventMeta, QueueListener } from './index';

/**
 * Where the SQLite queue's events go; the bus gives each published event its id. (The Redis queue
 * does not use a bus: its scripts publish the events with the change, see `redis.ts`.)
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
