import type Redis from 'ioredis';
import { redisForTests, uniquePrefix } from '../../tests/support/redis';
import { createRedisAttemptLimiter } from './redis';
import { openDatabase } from '../platform/openDatabase';
import type { Db } from '../platform/openDatabase';
import { asyncLimiter, createSqliteAttemptLimiter } from './sqlite';
import type { AttemptLimiter } from './index';

const MIN = 60_000;

interface LimiterOptions {
  scope: string;
  maxAttempts: number;
  lockMs: number;
  clock?: () => number;
}

/** One test's store, whatever holds it: every limiter made by `make` shares it. */
interface Store {
  make(options: LimiterOptions): AttemptLimiter;
  close(): void;
}

const redis = redisForTests();

// One contract, written against the asynchronous port, for every implementation.
const stores: Array<[string, () => Store]> = [
  [
    'SQLite',
    () => {
      const db: Db = openDatabase(':memory:');
      return {
        make: (options) => asyncLimiter(createSqliteAttemptLimiter({ db, ...options })),
        close: () => db.close(),
      };
    },
  ],
  [
    'Redis',
    () => {
      const prefix = uniquePrefix('limits');
      // A connection per limiter, like separate instances: state must live in Redis, not in the client.
      const clients: Redis[] = [];
      return {
        make: (options) => {
          const client = redis.duplicate();
          clients.push(client);
          return createRedisAttemptLimiter({ redis: client, prefix, ...options });
        },
        close: () => clients.forEach((c) => c.disconnect()),
      };
    },
  ],
];

describe.each(stores)('attempt limiter (%s)', (_name, open) => {
  let store: Store;
  beforeEach(() => (store = open()));
  afterEach(() => store.close());

  function setup(maxAttempts = 3) {
    let now = 1_700_000_000_000;
    const clock = () => now;
    const limiter = store.make({ scope: 'otp', maxAttempts, lockMs: 30 * MIN, clock });
    return { limiter, clock, advance: (ms: number) => (now += ms), now: () => now };
  }

  it('counts failures down and locks on the maxAttempts-th', async () => {
    const { limiter, now } = setup(3);
    expect(await limiter.lockedUntil('k')).toBeUndefined();
    expect(await limiter.fail('k')).toEqual({ locked: false, attemptsLeft: 2 });
    expect(await limiter.fail('k')).toEqual({ locked: false, attemptsLeft: 1 });
    expect(await limiter.fail('k')).toEqual({ locked: true, until: now() + 30 * MIN });
    expect(await limiter.lockedUntil('k')).toBe(now() + 30 * MIN);
  });

  it('keeps the lock (same until) when failing while locked', async () => {
    const { limiter, advance, now } = setup(1);
    const until = now() + 30 * MIN;
    expect(await limiter.fail('k')).toEqual({ locked: true, until });
    advance(MIN);
    expect(await limiter.fail('k')).toEqual({ locked: true, until });
  });

  it('an expired lock is lifted and the failures start again', async () => {
    const { limiter, advance, now } = setup(2);
    await limiter.fail('k');
    await limiter.fail('k');
    advance(30 * MIN - 1);
    expect(await limiter.lockedUntil('k')).toBe(now() + 1);
    advance(1);
    expect(await limiter.lockedUntil('k')).toBeUndefined();
    expect(await limiter.fail('k')).toEqual({ locked: false, attemptsLeft: 1 });
  });

  it('reset forgets failures and locks', async () => {
    const { limiter, now } = setup(2);
    await limiter.fail('k');
    await limiter.reset('k');
    expect(await limiter.fail('k')).toEqual({ locked: false, attemptsLeft: 1 });
    await limiter.fail('k');
    expect(await limiter.lockedUntil('k')).toBe(now() + 30 * MIN);
    await limiter.reset('k');
    expect(await limiter.lockedUntil('k')).toBeUndefined();
  });

  it('keys and scopes are independent', async () => {
    const { limiter, clock, now } = setup(1);
    const identity = store.make({ scope: 'identity', maxAttempts: 1, lockMs: MIN, clock });
    await limiter.fail('a');
    expect(await limiter.lockedUntil('a')).toBe(now() + 30 * MIN);
    expect(await limiter.lockedUntil('b')).toBeUndefined();
    expect(await identity.lockedUntil('a')).toBeUndefined();
  });

  it('state lives in the database (a second limiter on the same db sees it)', async () => {
    const { limiter, clock } = setup(2);
    await limiter.fail('k');
    const again = store.make({ scope: 'otp', maxAttempts: 2, lockMs: 30 * MIN, clock });
    expect(await again.fail('k')).toMatchObject({ locked: true });
  });

  it('counts every one of several failures at once', async () => {
    const { now } = setup(3);
    const limiters = [0, 1, 2, 3, 4].map(() =>
      store.make({ scope: 'otp', maxAttempts: 3, lockMs: 30 * MIN, clock: now }),
    );
    const results = await Promise.all(limiters.map((l) => l.fail('k')));
    expect(results.filter((r) => !r.locked)).toHaveLength(2);
    expect(results.filter((r) => r.locked)).toEqual(Array(3).fill({ locked: true, until: now() + 30 * MIN }));
  });

  it('rejects nonsense options', () => {
    expect(() => store.make({ scope: 's', maxAttempts: 0, lockMs: 1 })).toThrow(RangeError);
    expect(() => store.make({ scope: 's', maxAttempts: 1, lockMs: 0 })).toThrow(RangeError);
  });
});
