import { openDatabase } from '../sqlite/openDatabase';
import { createSqliteAttemptLimiter } from './index';

const MIN = 60_000;

function setup(maxAttempts = 3) {
  const db = openDatabase(':memory:');
  let now = 1_700_000_000_000;
  const clock = () => now;
  const limiter = createSqliteAttemptLimiter({ db, scope: 'otp', maxAttempts, lockMs: 30 * MIN, clock });
  return { db, limiter, clock, advance: (ms: number) => (now += ms), now: () => now };
}

describe('attempt limiter', () => {
  it('counts failures down and locks on the maxAttempts-th', () => {
    const { limiter, now } = setup(3);
    expect(limiter.lockedUntil('k')).toBeUndefined();
    expect(limiter.fail('k')).toEqual({ locked: false, attemptsLeft: 2 });
    expect(limiter.fail('k')).toEqual({ locked: false, attemptsLeft: 1 });
    expect(limiter.fail('k')).toEqual({ locked: true, until: now() + 30 * MIN });
    expect(limiter.lockedUntil('k')).toBe(now() + 30 * MIN);
  });

  it('keeps the lock (same until) when failing while locked', () => {
    const { limiter, advance, now } = setup(1);
    const until = now() + 30 * MIN;
    expect(limiter.fail('k')).toEqual({ locked: true, until });
    advance(MIN);
    expect(limiter.fail('k')).toEqual({ locked: true, until });
  });

  it('an expired lock is lifted and the failures start again', () => {
    const { limiter, advance } = setup(2);
    limiter.fail('k');
    limiter.fail('k');
    advance(30 * MIN - 1);
    expect(limiter.lockedUntil('k')).toBeDefined();
    advance(1);
    expect(limiter.lockedUntil('k')).toBeUndefined();
    expect(limiter.fail('k')).toEqual({ locked: false, attemptsLeft: 1 });
  });

  it('reset forgets failures and locks', () => {
    const { limiter } = setup(2);
    limiter.fail('k');
    limiter.reset('k');
    expect(limiter.fail('k')).toEqual({ locked: false, attemptsLeft: 1 });
    limiter.fail('k');
    expect(limiter.lockedUntil('k')).toBeDefined();
    limiter.reset('k');
    expect(limiter.lockedUntil('k')).toBeUndefined();
  });

  it('keys and scopes are independent', () => {
    const { db, limiter, clock } = setup(1);
    const identity = createSqliteAttemptLimiter({ db, scope: 'identity', maxAttempts: 1, lockMs: MIN, clock });
    limiter.fail('a');
    expect(limiter.lockedUntil('a')).toBeDefined();
    expect(limiter.lockedUntil('b')).toBeUndefined();
    expect(identity.lockedUntil('a')).toBeUndefined();
  });

  it('state lives in the database (a second limiter on the same db sees it)', () => {
    const { db, limiter, clock } = setup(2);
    limiter.fail('k');
    const again = createSqliteAttemptLimiter({ db, scope: 'otp', maxAttempts: 2, lockMs: 30 * MIN, clock });
    expect(again.fail('k')).toMatchObject({ locked: true });
  });

  it('rejects nonsense options', () => {
    const db = openDatabase(':memory:');
    expect(() => createSqliteAttemptLimiter({ db, scope: 's', maxAttempts: 0, lockMs: 1 })).toThrow(RangeError);
    expect(() => createSqliteAttemptLimiter({ db, scope: 's', maxAttempts: 1, lockMs: 0 })).toThrow(RangeError);
  });
});
