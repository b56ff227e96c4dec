/**
 * Finds the numbers in a message and reads each as a card, an identity document or a phone number,
 * using only the validators. A run of digit groups ("6222 0212 … 128 138 0013 8000") is split into
 * the pieces that cover the most digits, so a phone number inside a longer run is read once.
 * Expects ASCII text (see foldToAscii); offsets are into that text.
 */
import {
  isUnionPay,
  luhnValid,
  validateCardNumber,
  validateIdNumber,
  validateMobile,
  type IdType,
} from '../validation';

/** What one piece of a run can be; more than one field when it is ambiguous. */
export interface NumberReading {
  card?: string;
  id?: { idType: IdType; value: string };
  /** E.164 */
  phone?: string;
}

export interface NumberPiece {
  start: number;
  end: number;
  reading: NumberReading;
  /** A passport number written in lower case: only taken when labelled or asked for. */
  needsLabel?: boolean;
}

/** A number as written: its readable pieces, or a 6-digit code candidate. */
export interface NumberRun {
  start: number;
  end: number;
  pieces: NumberPiece[];
  /** The whole run is exactly six digits, not glued to letters: a code, if the context agrees. */
  code?: string;
}

/**
 * Digits with up to three separators between them (spaces incl. NBSP/U+3000, dashes, dots,
 * middle dot, parentheses), an optional leading '+', and an optional trailing X (resident IDs).
 * Separators and digits are disjoint, so matching is linear.
 */
const RUN = /\+?\d(?:[ \u00a0\u3000\-\u2010-\u2015\u2212\ufe63.\u00b7()]{0,3}\d)*(?:[ -]?[Xx](?![A-Za-z]))?/g;
const GROUP = /\d+/g;
/** 1–2 letters then 7–8 digits, not inside a longer word or number. */
const PASSPORT = /(?<![A-Za-z0-9])[A-Za-z]{1,2}\d{7,8}(?![A-Za-z0-9])/g;
const LATIN_LETTER = /[A-Za-z]/;

/** No reading is longer than 19 digits (cards); +country and 0086 phones are at most 17. */
const MAX_PIECE_DIGITS = 19;
const CODE_LENGTH = 6;
/** A group this long is a number of its own: it is never glued to others to make a card. */
const WHOLE_NUMBER_GROUP = 11;

interface Group {
  start: number;
  end: number;
  digits: string;
}

/** Cheap shape checks first: libphonenumber costs ~0.1 ms a call (cards: Luhn before the full check). */
function readPhone(digits: string, plus: boolean): string | undefined {
  const plausible = plus
    ? digits.length >= 8 && digits.length <= 15
    : (digits.length === 11 && /^1[3-9]/.test(digits)) ||
      (digits.length === 13 && /^861[3-9]/.test(digits)) ||
      (digits.length >= 10 && digits.length <= 17 && digits.startsWith('00'));
  if (!plausible) return undefined;
  const check = validateMobile(plus ? `+${digits}` : digits);
  return check.ok ? check.e164 : undefined;
}

/**
 * Reads `digits` (groups `from`..`to` of a run, joined). `gluedWholeNumber`: more than one group,
 * one of them long enough to be a number of its own.
 */
function readSpan(digits: string, plus: boolean, gluedWholeNumber: boolean): NumberReading | undefined {
  const reading: NumberReading = {};
  const phone = readPhone(digits, plus);
  if (phone !== undefined) reading.phone = phone;
  if (!plus && digits.length === 18) {
    const id = validateIdNumber(digits);
    if (id.ok) reading.id = { idType: id.idType, value: id.value };
  }
  if (
    !plus &&
    !gluedWholeNumber &&
    digits.length >= 13 &&
    digits.length <= MAX_PIECE_DIGITS &&
    (isUnionPay(digits) || luhnValid(digits))
  ) {
    const card = validateCardNumber(digits);
    if (card.ok) reading.card = card.value;
  }
  return reading.phone ?? reading.id ?? reading.card ? reading : undefined;
}

interface Best {
  covered: number;
  pieces: number;
  /** The span taken at this group (inclusive end), or undefined when the group is skipped. */
  to?: number;
  reading?: NumberReading;
}

/**
 * Splits a run's groups into readable pieces, maximising the digits covered, then preferring fewer
 * pieces: "+86 138 0013 8000" is one phone, not a phone and a stray "86"; "6225 8812 3456 7898
 * 138 0013 8000" is a card and a phone, not a 19-digit UnionPay number and "0013 8000".
 */
function splitRun(runText: string, runStart: number): NumberPiece[] {
  const plus = runText.startsWith('+');
  const groups: Group[] = [];
  for (const match of runText.matchAll(GROUP)) {
    const at = runStart + (match.index ?? 0);
    groups.push({ start: at, end: at + match[0].length, digits: match[0] });
  }
  const last = groups.length - 1;
  const best: Best[] = new Array<Best>(groups.length + 1);
  best[groups.length] = { covered: 0, pieces: 0 };
  for (let from = last; from >= 0; from -= 1) {
    const skip = best[from + 1] as Best;
    let choice: Best = { covered: skip.covered, pieces: skip.pieces };
    let digits = '';
    let longGroup = false;
    for (let to = from; to <= last; to += 1) {
      const group = groups[to] as Group;
      digits += group.digits;
      longGroup ||= group.digits.length >= WHOLE_NUMBER_GROUP;
      if (digits.length > MAX_PIECE_DIGITS) break;
      const reading = readSpan(digits, plus && from === 0, longGroup && to > from);
      if (reading === undefined) continue;
      const digitCount = digits.length;
      const rest = best[to + 1] as Best;
      const covered = digitCount + rest.covered;
      const pieces = rest.pieces + 1;
      if (covered > choice.covered || (covered === choice.covered && pieces < choice.pieces)) {
        choice = { covered, pieces, to, reading };
      }
    }
    best[from] = choice;
  }

  const pieces: NumberPiece[] = [];
  let at = 0;
  while (at <= last) {
    const step = best[at] as Best;
    if (step.to === undefined || step.reading === undefined) {
      at += 1;
      continue;
    }
    const first = groups[at] as Group;
    const end = (groups[step.to] as Group).end;
    pieces.push({ start: at === 0 && plus ? first.start - 1 : first.start, end, reading: step.reading });
    at = step.to + 1;
  }
  if (/[Xx]$/.test(runText)) return withResidentIdX(groups, pieces, runStart + runText.length);
  return pieces;
}

/**
 * A run ending in X (`end` is just past it): its last 17 digits and the X are a resident ID when
 * they validate as one, and replace whatever those digits were read as.
 */
function withResidentIdX(groups: Group[], pieces: NumberPiece[], end: number): NumberPiece[] {
  let digits = '';
  let from = groups.length - 1;
  for (; from >= 0 && digits.length < 17; from -= 1) digits = (groups[from] as Group).digits + digits;
  if (digits.length !== 17) return pieces;
  const id = validateIdNumber(`${digits}X`);
  if (!id.ok) return pieces;
  const start = (groups[from + 1] as Group).start;
  const kept = pieces.filter((piece) => piece.end <= start);
  kept.push({ start, end, reading: { id: { idType: id.idType, value: id.value } } });
  return kept;
}

function passports(text: string): NumberRun[] {
  const runs: NumberRun[] = [];
  for (const match of text.matchAll(PASSPORT)) {
    const id = validateIdNumber(match[0]);
    if (!id.ok || id.idType !== 'PASSPORT') continue;
    const start = match.index ?? 0;
    const end = start + match[0].length;
    const needsLabel = /[a-z]/.test(match[0]);
    runs.push({
      start,
      end,
      pieces: [{ start, end, reading: { id: { idType: id.idType, value: id.value } }, needsLabel }],
    });
  }
  return runs;
}

/** Every number in `text`, in order of appearance. */
export function findNumbers(text: string): NumberRun[] {
  const runs = passports(text);
  // Passports are blanked out (same length, not a separator) so their digits start no run.
  let rest = text;
  for (const { start, end } of runs) rest = rest.slice(0, start) + '\u0001'.repeat(end - start) + rest.slice(end);
  for (const match of rest.matchAll(RUN)) {
    const start = match.index ?? 0;
    const runText = match[0];
    const end = start + runText.length;
    const plus = runText.startsWith('+');
    const idWithX = /[Xx]$/.test(runText);
    const run: NumberRun = { start, end, pieces: splitRun(runText, start) };
    const digits = runText.replace(/\D/g, '');
    if (
      !plus &&
      !idWithX &&
      digits.length === CODE_LENGTH &&
      !LATIN_LETTER.test(text.charAt(start - 1)) &&
      !LATIN_LETTER.test(text.charAt(end))
    ) {
      run.code = digits;
    }
    runs.push(run);
  }
  return runs.sort((a, b) => a.start - b.start);
}
