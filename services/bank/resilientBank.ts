import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleAll,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import type { BankCore } from './index';

/** Why a bank call did not give an answer. */
export type BankUnavailableReason = 'circuitOpen' | 'timeout' | 'failed';

/**
 * The bank core gave no answer: it failed, took too long, or has failed so often lately that it is
 * not being asked. For a change, a `timeout` does not mean nothing happened (see `createResilientBank`).
 */
export class BankUnavailableError extends Error {
  readonly reason: BankUnavailableReason;
  constructor(message: string, options: { reason: BankUnavailableReason; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'BankUnavailableError';
    this.reason = options.reason;
  }
}

export type BreakerState = 'closed' | 'open' | 'halfOpen';

export interface ResilientBankOptions {
  /** How long one call may take before the caller is told the bank is unavailable. */
  timeoutMs?: number;
  /** Consecutive failures (errors or timeouts) that open the breaker. */
  breakerFailures?: number;
  /** How long an open breaker refuses calls before it lets one through to test the bank. */
  cooldownMs?: number;
  /** Told when the breaker opens, lets a test call through, or closes again: for the logs. */
  onStateChange?: (state: BreakerState) => void;
  /** Told about every call that gave no answer (its name and the error; never its arguments): for the logs. */
  onFailure?: (call: string, error: BankUnavailableError) => void;
}

/**
 * The bank core as the chart's effects see it: only the `BankCore` calls, each behind a timeout and a
 * circuit breaker. Deliberately not a `SqliteBankCore`: seeding, audit reads and closing stay on the
 * raw core, which the composition root keeps.
 */
export interface ResilientBank extends BankCore {
  /** Where the breaker stands now. */
  breakerState(): BreakerState;
}

/**
 * Wraps a bank core with a timeout (`timeoutMs`) and a consecutive-failures circuit breaker. Every
 * failure reaches the caller as a `BankUnavailableError` carrying the original error as its cause;
 * while the breaker is open, calls are refused at once without reaching the bank.
 *
 * The timeout is aggressive: `BankCore` calls take no cancellation signal, so the caller is answered
 * when the time is up and the call itself runs on. For a change this means "unknown", not "nothing
 * happened": the change may commit after the caller gave up. That is safe because the change is keyed
 * (`idempotencyKey`): asking again returns the same change, and its notices are sent once per change.
 *
 * With the embedded SQLite bank, every call is synchronous: it is over before the timer can fire, so
 * the timeout only ever matters for a bank reached over the network. The breaker still counts its
 * errors (a locked or broken database file).
 */
export function createResilientBank(
  core: BankCore,
  { timeoutMs = 5000, breakerFailures = 5, cooldownMs = 30_000, onStateChange, onFailure }: ResilientBankOptions = {},
): ResilientBank {
  const breaker = circuitBreaker(handleAll, {
    halfOpenAfter: cooldownMs,
    breaker: new ConsecutiveBreaker(breakerFailures),
  });
  if (onStateChange) breaker.onStateChange((s) => onStateChange(stateName(s)));
  // The breaker outside the timeout: a call that times out counts as a failure.
  // Bank calls take no signal, so nothing listens for an abort after they return: not aborting spares
  // an AbortError (with its stack) on every call.
  const policy = wrap(breaker, timeout(timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false }));

  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await policy.execute(fn);
    } catch (err) {
      const error = unavailable(what, err, timeoutMs);
      onFailure?.(what, error);
      throw error;
    }
  };

  // Each call reads the method off `core` when it runs, so a test can replace one (a spy) on the raw core.
  return {
    verifyIdentity: (claim) => call('verifyIdentity', () => core.verifyIdentity(claim)),
    phoneOwner: (customerId, phone) => call('phoneOwner', () => core.phoneOwner(customerId, phone)),
    changeBoundPhone: (req) => call('changeBoundPhone', () => core.changeBoundPhone(req)),
    boundPhone: (cardNumber) => call('boundPhone', () => core.boundPhone(cardNumber)),
    breakerState: () => stateName(breaker.state),
  };
}

function stateName(state: CircuitState): BreakerState {
  switch (state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'halfOpen';
    default:
      // Isolated (held open by hand) is never used here; to a caller it is the same as open.
      return 'open';
  }
}

/** The error the caller sees. Messages name the call, never its arguments (cards, IDs, numbers). */
function unavailable(what: string, err: unknown, timeoutMs: number): BankUnavailableError {
  if (err instanceof BrokenCircuitError) {
    return new BankUnavailableError(`bank core not asked (${what}): circuit open after repeated failures`, {
      reason: 'circuitOpen',
      cause: err,
    });
  }
  if (err instanceof TaskCancelledError) {
    return new BankUnavailableError(`bank core gave no answer within ${timeoutMs} ms (${what})`, {
      reason: 'timeout',
      cause: err,
    });
  }
  return new BankUnavailableError(`bank core failed (${what})`, { reason: 'failed', cause: err });
}
