import type { Clock } from '../../domain/clock';

/**
 * A brake on guessing agent tokens: after `maxFailures` failed authentications from one address within
 * a window (from the first failure), that address is refused until the window ends, whatever it sends
 * (a correct token too, or the answer would tell a guess apart). Success does not reset the count.
 * In memory, per process: enough to make guessing a 16+ character token hopeless.
 */
export interface SignInBrake {
  /** Milliseconds the address is still refused for; 0 when it is not. */
  blockedFor(address: string): number;
  /** Counts a failed authentication from the address. */
  failed(address: string): void;
}

export interface SignInBrakeOptions {
  clock?: Clock;
  maxFailures?: number;
  windowMs?: number;
  /** Addresses tracked at most; expired windows are dropped first, then the oldest. */
  maxAddresses?: number;
}

export function createSignInBrake({
  clock = Date.now,
  maxFailures = 10,
  windowMs = 5 * 60_000,
  maxAddresses = 10_000,
}: SignInBrakeOptions = {}): SignInBrake {
  const windows = new Map<string, { start: number; failures: number }>();
  const current = (address: string, now: number) => {
    const w = windows.get(address);
    if (w !== undefined && now - w.start >= windowMs) {
      windows.delete(address);
      return undefined;
    }
    return w;
  };
  const makeRoom = (now: number) => {
    if (windows.size < maxAddresses) return;
    for (const [address, w] of windows) if (now - w.start >= windowMs) windows.delete(address);
    for (const address of windows.keys()) {
      if (windows.size < maxAddresses) break;
      windows.delete(address);
    }
  };
  return {
    blockedFor(address) {
      const now = clock();
      const w = current(address, now);
      return w !== undefined && w.failures >= maxFailures ? w.start + windowMs - now : 0;
    },
    failed(address) {
      const now = clock();
      const w = current(address, now);
      if (w !== undefined) {
        w.failures += 1;
        return;
      }
      makeRoom(now);
      windows.set(address, { start: now, failures: 1 });
    },
  };
}
