import type { Clock } from '../../domain/clock';
import { outboxLine } from './outboxLine';
import type { SmsGateway } from './index';
import { SmsError } from './index';

export interface HttpSmsOptions {
  /** The gateway's endpoint; each message is POSTed to it as one outbox line's JSON. */
  url: string;
  /** How long one attempt may take, from connecting to the status line. */
  timeoutMs?: number;
  clock?: Clock;
  /** The global fetch by default; tests may pass their own. */
  fetch?: typeof globalThis.fetch;
}

/**
 * A gateway reached over HTTP. A message is sent when the gateway answers 2xx; anything else (another
 * status, a network error, no answer within `timeoutMs`) is an SmsError. One call is one attempt:
 * retries belong to `createRetryingSms`, so every provider gets the same policy.
 *
 * Errors and their causes never carry the message text (it may hold a one-time code), nor the URL
 * (a gateway URL often holds an API key in its query).
 */
export function createHttpSms({
  url,
  timeoutMs = 3000,
  clock = Date.now,
  fetch = globalThis.fetch,
}: HttpSmsOptions): SmsGateway {
  const endpoint = new URL(url); // a malformed URL fails at start-up, not at the first code
  return {
    async send(message) {
      const body = outboxLine(message, clock());
      let status: number;
      try {
        const res = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(timeoutMs),
          // A redirect is not followed (it would replay the body, code and all, to a host we did not
          // configure): its 3xx counts as a failure like any other status.
          redirect: 'manual',
        });
        status = res.status;
        // Read the rest so the connection can be reused; what the gateway says is not needed.
        await res.arrayBuffer().catch(() => undefined);
      } catch (err) {
        // Duck-typed: fetch's errors come from Node's own realm, which `instanceof Error` misses under jest.
        const name = (err as { name?: unknown } | undefined)?.name;
        const timedOut = name === 'TimeoutError' || name === 'AbortError';
        throw new SmsError(timedOut ? `SMS gateway gave no answer within ${timeoutMs} ms` : 'SMS gateway unreachable', {
          cause: scrubbed(err),
        });
      }
      if (status < 200 || status > 299) throw new SmsError(`SMS gateway answered HTTP ${status}`);
    },
  };
}

/**
 * The parts of a fetch error worth logging (name, message, the socket error's code), without the
 * request: undici's errors can reference it, and the request holds the text.
 */
function scrubbed(err: unknown): Error {
  const e = err as { name?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  const name = typeof e?.name === 'string' ? e.name : 'Error';
  const message = typeof e?.message === 'string' ? e.message : 'unknown error';
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  const out = new Error(code ? `${message} (${code})` : message);
  out.name = name;
  return out;
}
