import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import type { Logger } from './log';
import { COMPARE_AND_DELETE, luaScript } from './luaScript';
import { storeCall } from './storeCall';

/** Runs one task at a time per key, e.g. one turn at a time per conversation. */
export interface TurnLock {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/**
 * One instance: nothing to lock across (a turn of BotState still saves with eTag '*', so whoever serves a
 * conversation from one process relies on its own ordering).
 */
export const localTurnLock: TurnLock = {
  run: (_key, task) => task(),
};

/** The lock stayed taken for the whole wait: the task did not run. */
export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
  constructor(
    readonly key: string,
    readonly waitedMs: number,
  ) {
    super(`Lock "${key}" still held by another turn after ${waitedMs} ms`);
  }
}

export interface RedisTurnLockOptions {
  redis: Redis;
  prefix: string;
  /** How long the lock outlives its holder if the holder dies; refreshed every ttlMs / 3 while it runs. */
  ttlMs?: number;
  /** How long a turn waits for the lock before it gives up with LockTimeoutError. */
  waitMs?: number;
  /** Pause between two tries to take the lock. */
  retryMs?: number;
  /** Told when the lock was lost while a task ran, or could not be refreshed or released. */
  logger?: Pick<Logger, 'warn'>;
}

/** KEYS: the lock. ARGV: our token, ttlMs. Extends the lock only while it is ours; 1 if it was. */
const REFRESH = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/** KEYS: the lock. ARGV: our token. Deletes the lock only while it is ours: never someone else's. */

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A lock per key shared by every instance behind the load balancer, so two turns of one conversation
 * never run at once (BotState saves with eTag '*': the later save would silently undo the earlier).
 *
 * Taking it: `SET <prefix>lock:<key> <random token> NX PX ttlMs`, retried every `retryMs` (with a little
 * jitter, so waiting instances do not retry in step) until `waitMs` has passed. Holding it: a timer
 * extends the TTL every ttlMs / 3 while the task runs, only if the token is still ours, so a long turn
 * keeps its lock and a dead instance's lock lapses after at most ttlMs. Leaving it: compare-and-delete
 * in `finally`. Timing here is real time (Redis's TTLs), not the injected business clock.
 */
export function createRedisTurnLock({
  redis,
  prefix,
  ttlMs = 30_000,
  waitMs = 25_000,
  retryMs = 15,
  logger,
}: RedisTurnLockOptions): TurnLock {
  if (!Number.isInteger(ttlMs) || ttlMs < 3) throw new RangeError('ttlMs must be an integer >= 3');
  if (!Number.isFinite(waitMs) || waitMs < 0) throw new RangeError('waitMs must be >= 0');
  if (!Number.isFinite(retryMs) || retryMs <= 0) throw new RangeError('retryMs must be > 0');

  /**
   * A SET that timed out may still run when Redis answers again (a frozen or slow server), leaving a
   * lock nobody holds for up to ttlMs. So after a failed attempt our token is released as soon as Redis
   * answers (compare-and-delete: never someone else's lock), retried until the lock would lapse anyway.
   */
  function releaseLater(lockKey: string, token: string): void {
    const until = Date.now() + ttlMs;
    const attempt = () => {
      COMPARE_AND_DELETE.run(redis, [lockKey], [token]).catch(() => {
        if (Date.now() < until) setTimeout(attempt, 250).unref();
      });
    };
    setTimeout(attempt, 250).unref();
  }

  async function acquire(lockKey: string, token: string, key: string): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const taken = await storeCall('lock', () => redis.set(lockKey, token, 'PX', ttlMs, 'NX')).catch((error: unknown) => {
        releaseLater(lockKey, token);
        throw error;
      });
      if (taken === 'OK') return;
      const left = deadline - Date.now();
      if (left <= 0) throw new LockTimeoutError(key, waitMs);
      await sleep(Math.min(left, retryMs + Math.random() * retryMs));
    }
  }

  return {
    async run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const lockKey = `${prefix}lock:${key}`;
      const token = randomBytes(16).toString('hex');
      await acquire(lockKey, token, key);

      let lost = false;
      let done = false;
      const refresher = setInterval(() => {
        REFRESH.run(redis, [lockKey], [token, ttlMs]).then(
          (kept) => {
            // `done`: a refresh still on its way when the task ended finds the lock released; not lost.
            if (kept === 1 || lost || done) return;
            // Nothing can stop the task now; say so, so an overlapping turn can be explained.
            lost = true;
            logger?.warn('turn lock lost while its task ran', { key });
          },
          // Redis away for a moment: the next tick tries again; the TTL covers two missed ticks.
          (err: unknown) => logger?.warn('turn lock not refreshed', { key, error: String(err) }),
        );
      }, Math.floor(ttlMs / 3));
      // A pending refresh must not keep a process alive that is otherwise done.
      refresher.unref();

      try {
        return await task();
      } finally {
        done = true;
        clearInterval(refresher);
        // A failed release is not the task's failure: the lock lapses by itself within ttlMs.
        await COMPARE_AND_DELETE.run(redis, [lockKey], [token]).catch((err: unknown) =>
          logger?.warn('turn lock not released', { key, error: String(err) }),
        );
      }
    },
  };
}
