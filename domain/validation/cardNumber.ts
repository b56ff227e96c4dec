import { normalizeDigits } from './normalize';
import type { CardCheck } from './types';

/** Longer than this (after trimming) cannot be a card number, however it is spaced. */
const MAX_INPUT_CHARS = 64;

export const CARD_MIN_DIGITS = 13;
export const CARD_MAX_DIGITS = 19;

/** Luhn (mod 10) check over ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * UnionPay (中国银联) numbers: start with 62, 16–19 digits. Many UnionPay debit cards do not satisfy
 * Luhn, so the bank never rejects them on the checksum alone.
 */
export function isUnionPay(digits: string): boolean {
  return digits.startsWith('62') && digits.length >= 16 && digits.length <= 19;
}

/**
 * Validates a bank card number as typed: spaces, dashes and fullwidth digits are fine.
 * Order of checks: empty → notDigits → length (13–19) → checksum (Luhn, skipped for UnionPay).
 */
export function validateCardNumber(text: string): CardCheck {
  const trimmed = text.trim();
  if (trimmed.length > MAX_INPUT_CHARS) {
    // Answer from a bounded prefix: never normalise or scan 100 KB for a 19-digit answer.
    const head = normalizeDigits(trimmed.slice(0, MAX_INPUT_CHARS + 1));
    return /^\d*$/.test(head) ? { ok: false, reason: 'length' } : { ok: false, reason: 'notDigits' };
  }
  const digits = normalizeDigits(trimmed);
  if (digits === '') return { ok: false, reason: 'empty' };
  if (!/^\d+$/.test(digits)) return { ok: false, reason: 'notDigits' };
  if (digits.length < CARD_MIN_DIGITS || digits.length > CARD_MAX_DIGITS) {
    return { ok: false, reason: 'length' };
  }
  if (!isUnionPay(digits) && !luhnValid(digits)) return { ok: false, reason: 'checksum' };
  return { ok: true, value: digits };
}
