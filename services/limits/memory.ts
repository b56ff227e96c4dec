import type { RateLimiterRes } from 'rate-limiter-flexible';
import { systemClock, type Clock } from '../../domain/clock';
import type { RateLimits } from './index';
import { createRateLimits, windowDecision, windowRes, type RateLimiter, type WindowCount } from './rateLimits';
import type { RateRule, RateRuleSet } from './rateRules';


/**
 * Counts in fixed windows in this process's memory, as rate-limiter-flexible's RateLimiterMemory does,
 * but without its timer per key: that one starts a timer of the window's length for every key it counts
 * (a minute to a day), and each timer holds the limiter, and whatever made it, until it fires (in jest,
 * a whole test file's servers, models and stores). Here nothing runs between calls: an ended window
 * counts as nothing the moment it is read, and a call sweeps the ended windows when a window's length
 * has passed since the last sweep, so no more than about two windows' keys are kept.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly counts = new Map<string, WindowCount>();
  private readonly windowMs: number;
  private nextSweep: number;

  /** `points` allowed per `duration` seconds (0: the counts never expire). */
  constructor(
    private readonly opts: { points: number; duration: number },
    private readonly clock: Clock = systemClock,
  ) {
    this.windowMs = opts.duration * 1000;
    this.nextSweep = this.sweepAfter(this.clock());
  }

  /** How many keys have a count kept (ended windows not yet swept included). */
  get size(): number {
    return this.counts.size;
  }

  /**
   * Counts `points` for the key: resolves while the window's count is within the limit, rejects with
   * the RateLimiterRes (as the library's limiters do) once it is over.
   */
  consume(key: string | number, points = 1): Promise<RateLimiterRes> {
    const now = this.clock();
    if (now >= this.nextSweep) this.sweep(now);
    const k = String(key);
    let count = this.live(k, now);
    const first = !count;
    if (count) count.points += points;
    else {
      count = { points, expiresAt: this.windowMs > 0 ? now + this.windowMs : null };
      this.counts.set(k, count);
    }
    return windowDecision(this.opts.points, count, now, first);
  }

  /** The key's count in the current window; null when it has none. */
  get(key: string | number): Promise<RateLimiterRes | null> {
    const now = this.clock();
    const count = this.live(String(key), now);
    return Promise.resolve(count ? windowRes(this.opts.points, count, now, false) : null);
  }

  delete(key: string | number): Promise<boolean> {
    return Promise.resolve(this.counts.delete(String(key)));
  }

  /** Forgets every count whose window has ended. */
  sweep(now = this.clock()): void {
    for (const [key, count] of this.counts) if (count.expiresAt !== null && count.expiresAt <= now) this.counts.delete(key);
    this.nextSweep = this.sweepAfter(now);
  }

  /** When to sweep next: a window from now (never when counts never expire). */
  private sweepAfter(now: number): number {
    return this.windowMs > 0 ? now + this.windowMs : Infinity;
  }

  /** The key's count if its window has not ended (an ended one is forgotten). */
  private live(key: string, now: number): WindowCount | undefined {
    const count = this.counts.get(key);
    if (count && count.expiresAt !== null && count.expiresAt <= now) {
      this.counts.delete(key);
      return undefined;
    }
    return count;
  }
}

/** One rule's counts in this process's memory (SQLite counts messages this way too). */
export const memoryLimiter = (_keyPrefix: string, rule: RateRule) =>
  new MemoryRateLimiter({ points: rule.points, duration: rule.windowSeconds });

/** In memory: for one process in tests. */
export function createMemoryRateLimits(rules: RateRuleSet, secret: Buffer): RateLimits {
  return createRateLimits({
    rules,
    secret,
    make: memoryLimiter,
  });
}
