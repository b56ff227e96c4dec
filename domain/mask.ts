/**
 * Masking for display and logs: card numbers, phone numbers, ID numbers, and any long number
 * inside free text. Pure; accepts fullwidth digits and separators like the validators do.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { digitsToAscii, findDigitRuns, normalizeDigits, residentIdCheckChar } from './validation';

const STARS = '****';

/** A CN mobile, national or with +86 / 0086 / 86 in front: captures the 11-digit national number. */
const CN_MOBILE = /^(?:\+86|0086|86)?(1[3-9]\d{9})$/;

function onlyDigits(text: string): string {
  return normalizeDigits(text).replace(/\D/g, '');
}

/**
 * '6222021234567890123' → '6222 **** **** 0123': first 4, ' **** **** ', last 4, whatever the
 * length. Fewer than 8 digits → '****'.
 */
export function maskCard(cardNumber: string): string {
  const digits = onlyDigits(cardNumber);
  if (digits.length < 8) return STARS;
  return `${digits.slice(0, 4)} **** **** ${digits.slice(-4)}`;
}

/**
 * CN mobiles ('+8613800138000', '13800138000', '0086 138…') → '138****8000'.
 * Other numbers with a country code → '+44 ****3456' (country code and last 4 only);
 * other CN numbers → '+86 ****5678'; anything unrecognised with 8+ digits → '****5678'; else '****'.
 */
export function maskPhone(e164OrNational: string): string {
  const plain = normalizeDigits(e164OrNational).replace(/[^\d+]/g, '');
  const cn = CN_MOBILE.exec(plain);
  if (cn?.[1] !== undefined) return `${cn[1].slice(0, 3)}****${cn[1].slice(-4)}`;

  const international = plain.startsWith('00') ? `+${plain.slice(2)}` : plain;
  const parsed =
    plain.length <= 20 ? parsePhoneNumberFromString(international, 'CN') : undefined;
  if (parsed !== undefined && parsed.nationalNumber.length >= 4) {
    return `+${parsed.countryCallingCode} ${STARS}${parsed.nationalNumber.slice(-4)}`;
  }
  const digits = plain.replace(/\D/g, '');
  return digits.length >= 8 ? `${STARS}${digits.slice(-4)}` : STARS;
}

/**
 * Resident IDs (15+ characters): first 4 and last 4, stars in between keeping the length —
 * '11010519491231002X' → '1101**********002X'. Passports and other 6–14 character numbers: first 2
 * and last 2 — 'E12345678' → 'E1*****78'. Shorter → '****'.
 */
export function maskId(id: string): string {
  const value = normalizeDigits(id).toUpperCase();
  if (value.length >= 15) return `${value.slice(0, 4)}${'*'.repeat(value.length - 8)}${value.slice(-4)}`;
  if (value.length >= 6) return `${value.slice(0, 2)}${'*'.repeat(value.length - 4)}${value.slice(-2)}`;
  return STARS;
}

function maskNumber(digits: string, plus: boolean, idCheckX: boolean): string {
  const n = digits.length;
  if (idCheckX && n === 17) return maskId(`${digits}X`);
  if (plus) {
    const parsed = n <= 20 ? parsePhoneNumberFromString(`+${digits}`) : undefined;
    return parsed?.isValid() === true ? maskPhone(`+${digits}`) : '*'.repeat(n);
  }
  if (CN_MOBILE.test(digits)) return maskPhone(digits);
  if (n === 18 && residentIdCheckChar(digits.slice(0, 17)) === digits.charAt(17)) return maskId(digits);
  if (n >= 13 && n <= 19) return maskCard(digits);
  return '*'.repeat(n);
}

/**
 * Masks every number of 6+ digits in free text so it can be logged: spaces, dashes, dots and
 * parentheses between digits belong to the number ("138 0013 8000"). Card numbers (13–19 digits) →
 * maskCard, CN mobiles (11 digits, or with +86/0086/86) and +international numbers → maskPhone,
 * resident IDs (17 digits + X, or 18 digits with a valid check digit) → maskId, other numbers → one
 * '*' per digit. Fullwidth and other Unicode digits come out as ASCII; all other text is unchanged.
 */
export function maskDigitsInText(text: string): string {
  const ascii = digitsToAscii(text);
  let out = '';
  let cursor = 0;
  for (const run of findDigitRuns(ascii, 'loose')) {
    if (run.digits.length < 6) continue;
    let end = run.end;
    const next = ascii.charAt(end);
    const idCheckX =
      run.digits.length === 17 && /^[Xx\uff38\uff58]$/.test(next) && !/[A-Za-z]/.test(ascii.charAt(end + 1));
    if (idCheckX) end += 1;
    out += ascii.slice(cursor, run.start) + maskNumber(run.digits, run.plus, idCheckX);
    cursor = end;
  }
  return out + ascii.slice(cursor);
}
