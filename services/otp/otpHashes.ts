import { createHmac, timingSafeEqual } from 'node:crypto';
import { secretKey } from '../platform/secretKey';
import type { OtpBinding } from '../../domain/otpBinding';

const CODE_SPACE = 1_000_000;
const CODE_LENGTH = 6;

/** HMAC-SHA256 of `value` under `secret`, hex. The only form in which phones and cards are stored. */
export function keyedHash(secret: Buffer, value: string): string {
  return createHmac('sha256', secretKey(secret)).update(value, 'utf8').digest('hex');
}

/** Cards and numbers are hashed after dropping spaces and hyphens, so "6222 0200…" and "62220200…" are one card. */
function normalise(value: string): string {
  return value.replace(/[\s-]/g, '');
}

/**
 * The keyed hashes the service stores instead of cards, numbers, bindings and codes. Exported so every
 * implementation (SQLite, Redis) stores the same values and compares them the same way.
 */
export function otpHashes(secret: Buffer) {
  const hashCard = (card: string): string => keyedHash(secret, `card|${normalise(card)}`);
  const hashPhone = (phone: string): string => keyedHash(secret, `phone|${normalise(phone)}`);
  /** JSON keeps the fields apart even when a conversation id contains '|' (Direct Line ids often do). */
  const bindingKey = (b: OtpBinding): string =>
    keyedHash(secret, `binding|${JSON.stringify([b.conversationId, b.purpose, normalise(b.phone), b.generation])}`);
  const bindingHash = (key: string): string => keyedHash(secret, `bindingHash|${key}`);
  const codeHash = (key: string, code: string): string => keyedHash(secret, `${key}|${code}`);
  const sameHash = (a: string, b: string): boolean => {
    const x = Buffer.from(a, 'hex');
    const y = Buffer.from(b, 'hex');
    return x.length === y.length && timingSafeEqual(x, y);
  };
  return { hashCard, hashPhone, bindingKey, bindingHash, codeHash, sameHash };
}

/** A fresh code from `random` (uniform in [0, 1 000 000)), zero-padded to 6 digits; refuses an out-of-range draw. */
export function drawCode(random: (n: number) => number): string {
  const n = random(CODE_SPACE);
  if (!Number.isInteger(n) || n < 0 || n >= CODE_SPACE) throw new RangeError(`random(${CODE_SPACE}) returned ${n}`);
  return String(n).padStart(CODE_LENGTH, '0');
}
