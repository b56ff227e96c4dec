import { StoreUnavailableError } from './storeUnavailable';

/**
 * Replies that mean "Redis is there but cannot serve now" (loading a snapshot, a read-only replica after a
 * failover, out of memory, a busy script): an outage for the caller, like a refused connection.
 */
const UNAVAILABLE_REPLY = /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|OOM|NOREPLICAS)\b/;

/**
 * Runs Redis commands and turns every failure to reach Redis (no connection, the command timed out,
 * the retries ran out) into a StoreUnavailableError naming what was being done, with the original as
 * `cause`: the turn fails closed with a clear error instead of hanging. Any other reply error (a bug
 * in a script, a key of the wrong type) passes through unchanged.
 */
export async function storeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof StoreUnavailableError) throw err;
    const isReply = err instanceof Error && err.name === 'ReplyError';
    if (isReply && !UNAVAILABLE_REPLY.test(err.message)) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new StoreUnavailableError(`Redis unavailable (${what}): ${reason}`, { cause: err });
  }
}
