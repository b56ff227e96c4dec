/**
 * Limits: failed attempts counted per key until a lock (identity checks, codes per card), and actions
 * counted per conversation, user, client address and card in windows (RATE_LIMIT_*).
 *
 * Adapters: `sqlite.ts` (one machine), `redis.ts` (several instances), `memory.ts` (rate limits of one
 * process). `attemptLimiterContract.test.ts` and `rateLimitsContract.test.ts` run every adapter.
 * The rules' syntax: `rateRules.ts`; who sent the turn under way: `turnClient.ts`.
 */
import type { RateAction, RateScope } from './rateRules';

export type FailResult = { locked: true; until: number } | { locked: false; attemptsLeft: number };

/** Failed attempts counted per key, whatever stores them (SQLite on one machine, Redis for several). */
export interface AttemptLimiter {
  /** When the key is locked, until when; undefined when not locked. An expired lock is cleared (failures reset). */
  lockedUntil(key: string): Promise<number | undefined>;
  /** Counts one failure. The `maxAttempts`-th failure locks the key for `lockMs`; failing while locked keeps the lock. */
  fail(key: string): Promise<FailResult>;
  /** Forgets the key's failures (and any lock), e.g. after a success. */
  reset(key: string): Promise<void>;
}

/** Who is acting, as far as this turn knows; a scope without a key is not counted. */
export type RateKeys = Partial<Record<RateScope, string>>;

export type RateDecision =
  | { allowed: true }
  | {
      allowed: false;
      /** The first scope found over its limit. */
      scope: RateScope;
      retryAfterSeconds: number;
      /** True for the first refusal in the window: the one the customer is told about. */
      first: boolean;
    };

/** Counts actions per conversation, user, client IP and card (rate-limiter-flexible underneath). */
export interface RateLimits {
  /**
   * Counts one `action` for every scope that has a key and a rule, in the order of the rules. The first
   * scope over its limit refuses (later scopes are then not counted). Store failures are thrown.
   */
  consume(action: RateAction, keys: RateKeys): Promise<RateDecision>;
}
