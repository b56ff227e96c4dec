import { ExponentialBackoff, handleType, retry, type IBackoffFactory, type IRetryBackoffContext } from 'cockatiel';
import type { SmsGateway } from './index';
import { SmsError } from './index';

export type SmsBackoff = IBackoffFactory<IRetryBackoffContext<unknown>>;

export interface RetryingSmsOptions {
  /** Attempts after the first failed one; 0 sends once. */
  retries: number;
  /** Waits between attempts: exponential with jitter, 200 ms up to 2 s, by default. Tests pass `ConstantBackoff(0)`. */
  backoff?: SmsBackoff;
}

/** 200 ms, then about twice as long each time (decorrelated jitter), never more than 2 s. */
export const defaultSmsBackoff = (): SmsBackoff => new ExponentialBackoff({ initialDelay: 200, maxDelay: 2000 });

/**
 * Sends through `inner`, trying again after an SmsError. After the last failure the error goes to the
 * caller (the chart's `sendCode` then takes the code back and tells the customer; a notice is released
 * so a retried turn can send it).
 *
 * Trade-off: a send that timed out may still have reached the gateway, so a retry can deliver the same
 * text twice. For a code that is the same code (harmless); for a notice, the same notice. Both are
 * better than a customer left without a code. Other errors (a bug) are not retried.
 */
export function createRetryingSms(
  inner: SmsGateway,
  { retries, backoff = defaultSmsBackoff() }: RetryingSmsOptions,
): SmsGateway {
  if (!Number.isInteger(retries) || retries < 0) throw new RangeError('retries must be an integer >= 0');
  if (retries === 0) return inner;
  const policy = retry(handleType(SmsError), { maxAttempts: retries, backoff });
  return {
    send: (message) => policy.execute(() => inner.send(message)),
  };
}
