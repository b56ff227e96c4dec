import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normalizeDigits } from './normalize';
import type { PhoneCheck } from './types';

const MAX_INPUT_CHARS = 64;

/** Number types that can receive an SMS. */
const MOBILE_TYPES: ReadonlySet<string> = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

/**
 * Validates a mobile number as typed (with libphonenumber's full metadata, so the type is known).
 * Accepts national CN numbers (13800138000), +86 / 0086 / bare 86 prefixes, fullwidth digits,
 * spaces, dashes, dots and parentheses; foreign mobiles need an explicit +country code.
 * Only digits with an optional leading '+' are parsed: words around the number are 'format'.
 */
export function validateMobile(text: string, defaultRegion: 'CN' = 'CN'): PhoneCheck {
  const trimmed = text.trim();
  if (trimmed.length > MAX_INPUT_CHARS) return { ok: false, reason: 'format' };
  const compact = normalizeDigits(trimmed);
  if (compact === '') return { ok: false, reason: 'empty' };
  if (!/^\+?\d{3,20}$/.test(compact)) return { ok: false, reason: 'format' };

  const parsed = parsePhoneNumberFromString(compact, defaultRegion);
  if (parsed === undefined || !parsed.isValid()) return { ok: false, reason: 'format' };
  const type = parsed.getType();
  if (type === undefined || !MOBILE_TYPES.has(type)) return { ok: false, reason: 'notMobile' };
  return { ok: true, e164: parsed.number };
}
