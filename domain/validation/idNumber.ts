import { normalizeDigits } from './normalize';
import type { IdCheck } from './types';

const MAX_INPUT_CHARS = 64;

/** GB 11643-1999 weights for the first 17 digits, and the check character for sum mod 11. */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK_CHARS = '10X98765432';

/** Shape of an 18-character resident ID: 17 digits and a check character 0-9 or X. */
const RESIDENT_ID = /^\d{17}[\dX]$/;

/**
 * Passport numbers accepted (uppercased, spaces removed):
 *  - 1–2 letters then 7–8 digits: Chinese E12345678 / G12345678, foreign K1234567, AB12345678;
 *  - otherwise 6–9 letters/digits starting with a letter and containing at least one digit
 *    (e.g. German C01X00T47); the digit rule keeps plain words ("PASSPORT") out.
 */
const PASSPORT = /^(?:[A-Z]{1,2}\d{7,8}|(?=[A-Z0-9]*\d)[A-Z][A-Z0-9]{5,8})$/;

/** The check character (0-9 or X) for the first 17 digits of a resident ID. */
export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += (first17.charCodeAt(i) - 48) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK_CHARS.charAt(sum % 11);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * A birth date YYYYMMDD is acceptable when it is a real calendar date, year ≥ 1900, and not after
 * `now` (compared by calendar day in `now`'s local time).
 */
export function isPlausibleBirthDate(yyyymmdd: string, now: Date): boolean {
  if (!/^\d{8}$/.test(yyyymmdd)) return false;
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return false;
  }
  const today = now.getFullYear() * 10000 + (now.getMonth() + 1) * 100 + now.getDate();
  return year * 10000 + month * 100 + day <= today;
}

/**
 * Validates an identity document number: a Chinese 18-digit resident ID (GB 11643-1999) or a
 * passport number. Precedence: 18 characters of digits (last may be X) → resident ID rules
 * (format → birthDate → checksum); otherwise the passport patterns; otherwise 'format'.
 * Fullwidth characters, spaces and dashes are tolerated; the value comes back uppercased.
 */
export function validateIdNumber(text: string, now: Date = new Date()): IdCheck {
  const trimmed = text.trim();
  if (trimmed.length > MAX_INPUT_CHARS) return { ok: false, reason: 'format' };
  const value = normalizeDigits(trimmed).toUpperCase();
  if (value === '') return { ok: false, reason: 'empty' };

  if (RESIDENT_ID.test(value)) {
    if (!isPlausibleBirthDate(value.slice(6, 14), now)) return { ok: false, reason: 'birthDate' };
    if (residentIdCheckChar(value.slice(0, 17)) !== value.charAt(17)) {
      return { ok: false, reason: 'checksum' };
    }
    return { ok: true, idType: 'CN_RESIDENT', value };
  }
  if (PASSPORT.test(value)) return { ok: true, idType: 'PASSPORT', value };
  return { ok: false, reason: 'format' };
}
