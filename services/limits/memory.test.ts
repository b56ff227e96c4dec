import { RateLimiterRes } from 'rate-limiter-flexible';
import { MemoryRateLimiter, memoryLimiter } from './memory';

/** A limiter of `points` per `seconds` on a clock the test moves. */
function limiter(points: number, seconds: number) {
  let now = Date.parse('2026-11-28T02:00:00Z');
  const l = new MemoryRateLimiter({ points, duration: seconds }, () => now);
  return { l, advance: (ms: number) => void (now += ms) };
}

/** What a refused consume rejects with. */
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('allowed');
    },
    (r: unknown) => {
      if (!(r instanceof RateLimiterRes)) throw r;
      return r;
    },
  );

describe('memory rate limiter (no timer per key)', () => {
  test('allows `points` in a window, refuses the next, and says how long until the window ends', async () => {
    const { l, advance } = limiter(2, 60);
    expect(await l.consume('a')).toMatchObject({ consumedPoints: 1, remainingPoints: 1, isFirstInDuration: true, msBeforeNext: 60_000 });
    advance(10_000);
    expect(await l.consume('a')).toMatchObject({ consumedPoints: 2, remainingPoints: 0, isFirstInDuration: false, msBeforeNext: 50_000 });
    expect(await refusal(l.consume('a'))).toMatchObject({ consumedPoints: 3, remainingPoints: 0, msBeforeNext: 50_000 });
    // Refusals are counted too (the first refusal is the one at points + 1).
    expect(await refusal(l.consume('a'))).toMatchObject({ consumedPoints: 4 });
    // Another key has its own count.
    expect(await l.consume('b')).toMatchObject({ consumedPoints: 1 });
  });

  test('counts expire when the window ends (not a millisecond before) and counting starts again', async () => {
    const { l, advance } = limiter(1, 60);
    await l.consume('a');
    await refusal(l.consume('a'));
    advance(59_999);
    expect(await refusal(l.consume('a'))).toMatchObject({ msBeforeNext: 1 });
    expect(await l.get('a')).toMatchObject({ consumedPoints: 3 });
    advance(1);
    expect(await l.get('a')).toBeNull();
    expect(await l.consume('a')).toMatchObject({ consumedPoints: 1, isFirstInDuration: true, msBeforeNext: 60_000 });
  });

  test('starts no timer: nothing is left pending however many keys it counts', async () => {
    const spy = jest.spyOn(global, 'setTimeout');
    try {
      const l = memoryLimiter('rl_messages_conversation', { scope: 'conversation', points: 5, windowSeconds: 86_400 });
      for (let i = 0; i < 100; i++) await l.consume(`c${i}`);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  test('ended windows are swept, at most once per window length, so idle keys do not pile up', async () => {
    const { l, advance } = limiter(5, 60);
    for (let i = 0; i < 100; i++) await l.consume(`old-${i}`);
    advance(30_000);
    await l.consume('recent');
    expect(l.size).toBe(101);
    // A window after the limiter was made: the next call sweeps what has ended (the 100), not 'recent'.
    advance(30_000);
    await l.consume('new');
    expect(l.size).toBe(2);
    expect(await l.get('recent')).toMatchObject({ consumedPoints: 1, msBeforeNext: 30_000 });
    // No other sweep before another window has gone by: 'recent' ends, and stays until read or swept.
    advance(45_000);
    await l.consume('newer');
    expect(l.size).toBe(3);
    advance(15_000);
    await l.consume('newest');
    expect(l.size).toBe(2); // 'new' and 'recent' swept (their windows ended); 'newer' and 'newest' kept
    expect(await l.get('newer')).toMatchObject({ consumedPoints: 1 });
  });

  test('several points at once; delete forgets a count', async () => {
    const { l } = limiter(3, 60);
    expect(await l.consume('a', 2)).toMatchObject({ consumedPoints: 2, remainingPoints: 1 });
    expect(await refusal(l.consume('a', 2))).toMatchObject({ consumedPoints: 4, remainingPoints: 0 });
    expect(await l.delete('a')).toBe(true);
    expect(await l.get('a')).toBeNull();
    expect(await l.delete('a')).toBe(false);
    expect(await l.consume('a')).toMatchObject({ consumedPoints: 1, isFirstInDuration: true });
  });

  test('a window of 0 seconds never ends', async () => {
    const { l, advance } = limiter(1, 0);
    expect(await l.consume('a')).toMatchObject({ consumedPoints: 1, msBeforeNext: -1 });
    advance(30 * 86_400_000);
    expect(await refusal(l.consume('a'))).toMatchObject({ consumedPoints: 2, msBeforeNext: -1 });
  });
});
