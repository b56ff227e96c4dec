import { randomInt, randomUUID } from 'node:crypto';
import type { Clock } from '../../domain/clock';

/** What every adapter of the OTP service takes (each adds where it stores: `db`, or `redis` and `prefix`). */
export interface OtpOptions {
  /** Key for every hash the service stores (codes, phones, cards). Keep it out of the database; 32+ random bytes. */
  secret: Buffer;
  clock?: Clock;
  /** Uniform integer in [0, n). Must be a CSPRNG outside tests. */
  random?: (n: number) => number;
  ttlSeconds?: number;
  /** Wrong codes per card before the card is locked for code entry. */
  maxAttempts?: number;
  lockMinutes?: number;
  resendCooldownSeconds?: number;
  maxPerHourPerNumber?: number;
  maxPerDayPerNumber?: number;
  newId?: () => string;
}

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;
/** Scope of the attempt limiter that counts wrong codes per card. */
export const OTP_LIMIT_SCOPE = 'otp';

function positive(name: string, value: number, integer: boolean): void {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be a positive ${integer ? 'integer' : 'number'}`);
  }
}

/** The defaults every implementation uses. */
export const OTP_DEFAULTS = {
  ttlSeconds: 300,
  maxAttempts: 5,
  lockMinutes: 30,
  resendCooldownSeconds: 60,
  maxPerHourPerNumber: 5,
  maxPerDayPerNumber: 10,
} as const;

/** The options every implementation takes, defaults filled in and checked, times in ms. */
export interface OtpSettings {
  secret: Buffer;
  clock: Clock;
  random: (n: number) => number;
  newId: () => string;
  ttlMs: number;
  cooldownMs: number;
  lockMs: number;
  maxAttempts: number;
  maxPerHourPerNumber: number;
  maxPerDayPerNumber: number;
}

/** Fills in the defaults and throws a RangeError for options no implementation accepts. */
export function otpSettings(options: OtpOptions): OtpSettings {
  const o = { ...OTP_DEFAULTS, ...definedOnly(options) };
  if (!Buffer.isBuffer(o.secret) || o.secret.length === 0) throw new RangeError('secret must be a non-empty Buffer');
  positive('ttlSeconds', o.ttlSeconds, false);
  positive('lockMinutes', o.lockMinutes, false);
  positive('maxPerHourPerNumber', o.maxPerHourPerNumber, true);
  positive('maxPerDayPerNumber', o.maxPerDayPerNumber, true);
  if (!Number.isFinite(o.resendCooldownSeconds) || o.resendCooldownSeconds < 0) {
    throw new RangeError('resendCooldownSeconds must be >= 0');
  }
  return {
    secret: o.secret,
    clock: o.clock ?? Date.now,
    random: o.random ?? ((n) => randomInt(n)),
    newId: o.newId ?? (() => randomUUID()),
    ttlMs: o.ttlSeconds * 1000,
    cooldownMs: o.resendCooldownSeconds * 1000,
    lockMs: o.lockMinutes * 60_000,
    maxAttempts: o.maxAttempts,
    maxPerHourPerNumber: o.maxPerHourPerNumber,
    maxPerDayPerNumber: o.maxPerDayPerNumber,
  };
}

/** `{ a: undefined }` does not override a default (as with destructuring defaults). */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
