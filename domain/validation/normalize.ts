/**
 * Character-level normalisation of what a customer typed: fullwidth and other Unicode digits become
 * ASCII, separators people put inside numbers disappear. Linear time, safe for very long input.
 */

/** Any Unicode decimal digit (General_Category=Nd). */
const DECIMAL_DIGIT = /^\p{Nd}$/u;

/**
 * Unicode guarantees decimal digits are encoded in contiguous runs of ten, 0 to 9 in order, so a
 * digit's value is its distance from the start of its run, modulo 10. Cached: there are only ~700.
 */
const digitValueCache = new Map<number, number>();

function unicodeDigitValue(codePoint: number): number {
  const cached = digitValueCache.get(codePoint);
  if (cached !== undefined) return cached;
  let start = codePoint;
  while (start > 0 && DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start -= 1;
  const value = (codePoint - start) % 10;
  digitValueCache.set(codePoint, value);
  return value;
}

/**
 * Maps one code point to its ASCII counterpart when it is a digit or a fullwidth form
 * (U+FF01–U+FF5E: ０-９, Ａ-Ｚ, ａ-ｚ, ＋, －, （ …); other characters come back unchanged.
 */
export function toAsciiChar(char: string): string {
  const codePoint = char.codePointAt(0);
  if (codePoint === undefined || codePoint < 0x80) return char;
  if (codePoint >= 0xff01 && codePoint <= 0xff5e) return String.fromCharCode(codePoint - 0xfee0);
  if (DECIMAL_DIGIT.test(char)) return String(unicodeDigitValue(codePoint));
  return char;
}

/** Characters {@link foldToAscii} may change: fullwidth forms and non-ASCII decimal digits. */
const FOLDABLE = /[\uff01-\uff5e]|(?![0-9])\p{Nd}/gu;
/** Characters {@link digitsToAscii} may change: non-ASCII decimal digits. */
const NON_ASCII_DIGIT = /(?![0-9])\p{Nd}/gu;

/**
 * Converts fullwidth forms (letters, digits, punctuation) and Unicode digits in `text` to ASCII,
 * keeping everything else. For reading text, not for showing it back. O(n).
 */
export function foldToAscii(text: string): string {
  return text.replace(FOLDABLE, toAsciiChar);
}

/** Converts only digits (fullwidth and other Unicode decimal digits) to ASCII; all else is kept. */
export function digitsToAscii(text: string): string {
  return text.replace(NON_ASCII_DIGIT, toAsciiChar);
}

/**
 * Separators removed by {@link normalizeDigits} (after fullwidth folding):
 * whitespace (incl. NBSP U+00A0, ideographic space U+3000), zero-width space/joiners and BOM,
 * hyphen/dash family (- ‐ ‑ ‒ – — ― − ﹣), dots (. 。 ・ ·) and parentheses.
 */
const SEPARATORS = /[\s\u200b-\u200d\ufeff\-\u2010-\u2015\u2212\ufe63.\u3002\u30fb\u00b7()]+/gu;

/**
 * Normalises typed numbers: fullwidth digits/letters (０-９, Ｘ, ＋) and other Unicode decimal digits
 * become ASCII; spaces (incl. U+3000 and NBSP), dashes and hyphens, dots and parentheses are removed.
 * Letter case is kept. Two linear regex passes: O(n), fine for 100 KB.
 */
export function normalizeDigits(text: string): string {
  return foldToAscii(text).replace(SEPARATORS, '');
}
