import { randomBytes } from 'node:crypto';
import type { Clock } from '../../domain/clock';

/**
 * One-use tickets for opening the console's event stream. `EventSource` cannot send an
 * `Authorization` header, so the page first trades its bearer token (in a header) for one of these and
 * puts that in the URL: the long-lived agent token never appears in a URL, a proxy log or the history.
 */
export interface StreamTokens {
  /** A fresh token for the agent: random (192 bits), base64url, valid once, for `ttlMs`. */
  issue(agentId: string): string;
  /** The agent the token was issued to, consuming it; undefined when unknown, used or expired. */
  redeem(token: string | undefined): string | undefined;
  /** Tokens issued and neither used nor expired (for tests). */
  readonly size: number;
}

export interface StreamTokenOptions {
  clock?: Clock;
  ttlMs?: number;
  random?: (bytes: number) => Buffer;
  /** Outstanding tokens kept at most; the oldest are dropped beyond that (each costs memory). */
  max?: number;
}

export function createStreamTokens({
  clock = Date.now,
  ttlMs = 60_000,
  random = randomBytes,
  max = 10_000,
}: StreamTokenOptions = {}): StreamTokens {
  // Insertion order is issue order, so the oldest come first.
  const issued = new Map<string, { agentId: string; expires: number }>();
  const sweep = (now: number) => {
    for (const [token, entry] of issued) {
      if (entry.expires > now && issued.size < max) break;
      issued.delete(token);
    }
  };
  return {
    issue(agentId) {
      sweep(clock());
      const token = random(24).toString('base64url');
      issued.set(token, { agentId, expires: clock() + ttlMs });
      return token;
    },
    redeem(token) {
      if (typeof token !== 'string' || token === '' || token.length > 64) return undefined;
      const entry = issued.get(token);
      if (entry === undefined) return undefined;
      issued.delete(token);
      return entry.expires > clock() ? entry.agentId : undefined;
    },
    get size() {
      return issued.size;
    },
  };
}
