/**
 * Picks the details of a phone-number change out of what a customer typed: card number, identity
 * document, old and new phone numbers, a one-time code, and which of them the customer is correcting.
 * Pure (no I/O, no clock beyond the ID validator's "birth date not in the future"), and bounded:
 * only the first {@link MAX_LOOKED_AT} characters are read, so any input answers in about a millisecond.
 */
import type { Details } from './details';
import type { Expecting } from '../expecting';
import { foldToAscii, looksLikeSecret, type IdType } from '../validation';
import {
  correctionsIn,
  isTransition,
  KIND_WORDS,
  labelAfter,
  labelBefore,
  mentionsCode,
  ROLE_WORDS,
  sentenceRole,
  trailingRole,
  type KindLabel,
  type Role,
} from './labels';
import { findNumbers, type NumberPiece, type NumberReading } from './numberPieces';
import { EMOJI, withoutMarkup } from '../markup';

/** What a sentence can fill (./details.ts); the chart keeps the same shape in its context. */
export type DetailSlot = Details['corrected'][number];

/** What the bot is waiting for: decides what an unlabelled number is. */
export interface DetailsHint {
  expecting?: Expecting;
  otpTarget?: 'old' | 'new';
}

/** Characters of the message read at all. */
const MAX_LOOKED_AT = 2_000;
/** How far before a number its label may stand (within its clause). */
const BEFORE_WINDOW = 32;
/** How far after a number a label for it may stand ("13800138000 是我的新号码"). */
const AFTER_WINDOW = 24;

const SLOT_ORDER: readonly DetailSlot[] = ['card', 'idNumber', 'oldPhone', 'newPhone'];

const UPPER = /[A-Z]+/g;
/**
 * Where a clause ends: labels do not reach across these. (Dots inside numbers are masked, so any
 * '.' left in the label text is punctuation.)
 */
const CLAUSE_END = /^[,，、。.;；!！?？\n\r…]$/;
/** Where a sentence ends: "two phones in one sentence" and "the sentence says new" stop here. */
const SENTENCE_END = /^[。.;；!！?？\n\r]$/;
/** Every number is masked with this in the label text. */
const MASK = '#';

/** Read-only view of the message shared by the steps below. */
interface Message {
  /** Markup and emoji removed, ASCII-folded. */
  text: string;
  /** `text` in lower case with every number replaced by {@link MASK}: where words are looked for. */
  words: string;
  /** `sentenceOf[i]`: index of the sentence holding character i. */
  sentenceOf: Int32Array;
  /** `[start, end)` of each sentence. */
  sentences: Array<[number, number]>;
  /** Where correction words ("不对", "actually") start. */
  corrections: number[];
}

interface PhoneFound {
  start: number;
  e164: string;
  sentence: number;
  role?: Role;
  /** Its role came from the customer's words, not from its position or the hint. */
  labelled: boolean;
}

interface Value {
  slot: DetailSlot;
  value: string;
  idType?: IdType;
  start: number;
  labelled: boolean;
}

/** Removes markup and emoji, folds fullwidth forms and Unicode digits to ASCII. Bounded input. */
function readable(raw: string): string {
  const head = raw.slice(0, MAX_LOOKED_AT);
  return foldToAscii(withoutMarkup(head)).replace(EMOJI, ' ');
}

function masked(text: string, spans: ReadonlyArray<{ start: number; end: number }>): string {
  let out = '';
  let at = 0;
  for (const { start, end } of spans) {
    out += text.slice(at, start) + MASK.repeat(end - start);
    at = end;
  }
  return (out + text.slice(at)).replace(UPPER, (letters) => letters.toLowerCase());
}

function sentencesOf(words: string): Pick<Message, 'sentenceOf' | 'sentences'> {
  const sentenceOf = new Int32Array(words.length + 1);
  const sentences: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < words.length; i += 1) {
    sentenceOf[i] = sentences.length;
    if (SENTENCE_END.test(words.charAt(i))) {
      sentences.push([start, i + 1]);
      start = i + 1;
    }
  }
  sentenceOf[words.length] = sentences.length;
  sentences.push([start, words.length]);
  return { sentenceOf, sentences };
}

function isClauseEnd(words: string, i: number): boolean {
  return CLAUSE_END.test(words.charAt(i));
}

/** The text of the clause just before `start`, back to a clause end or another number. */
function windowBefore(words: string, start: number, notBefore: number): string {
  let from = start;
  const limit = Math.max(notBefore, start - BEFORE_WINDOW);
  while (from > limit && words.charAt(from - 1) !== MASK && !isClauseEnd(words, from - 1)) from -= 1;
  return words.slice(from, start);
}

function windowAfter(words: string, end: number): { after: string; reachesNumber: boolean } {
  let to = end;
  const limit = Math.min(words.length, end + AFTER_WINDOW);
  while (to < limit && words.charAt(to) !== MASK && !isClauseEnd(words, to)) to += 1;
  return { after: words.slice(end, to), reachesNumber: words.charAt(to) === MASK };
}

/** Which reading of an ambiguous number to take when the customer did not say. */
function preference(hint: DetailsHint): ReadonlyArray<keyof NumberReading> {
  switch (hint.expecting) {
    case 'cardNumber':
      return ['card', 'id', 'phone'];
    case 'oldPhone':
    case 'newPhone':
      return ['phone', 'id', 'card'];
    default:
      return ['id', 'phone', 'card'];
  }
}

const KIND_FIELD: Record<Exclude<KindLabel, 'code'>, keyof NumberReading> = {
  card: 'card',
  id: 'id',
  phone: 'phone',
};

/**
 * What a number is: what its label says, if it reads as that; else the preferred reading. A label
 * it cannot be ("换手机号 6222…" names the phone being changed, but the number is a card) is set
 * aside rather than dropping the number.
 */
function chooseReading(
  piece: NumberPiece,
  kind: KindLabel | undefined,
  hint: DetailsHint,
): keyof NumberReading | undefined {
  const { reading, needsLabel } = piece;
  if (kind !== undefined && kind !== 'code') {
    const field = KIND_FIELD[kind];
    if (reading[field] !== undefined) return field;
    // Only "phone" words are so often part of the request itself; other labels stay strict.
    if (kind !== 'phone') return undefined;
  }
  if (needsLabel === true && hint.expecting !== 'idNumber') return undefined;
  return preference(hint).find((field) => reading[field] !== undefined);
}

function hintedRole(hint: DetailsHint): Role | undefined {
  if (hint.expecting === 'oldPhone') return 'old';
  if (hint.expecting === 'newPhone') return 'new';
  if (hint.expecting === 'otp' && hint.otpTarget === 'new') return 'new';
  return undefined;
}

/**
 * Old or new: the customer's words first (a word just after the number, the nearest word before it,
 * "A 换成 B" between two numbers), then two phones in one sentence (first old, second new), then the
 * other of a labelled pair, then what the sentence speaks of, then what the bot asked for.
 */
function assignRoles(phones: PhoneFound[], message: Message, hint: DetailsHint): void {
  const bySentence = new Map<number, PhoneFound[]>();
  for (const phone of phones) {
    const list = bySentence.get(phone.sentence) ?? [];
    list.push(phone);
    bySentence.set(phone.sentence, list);
  }
  for (const list of bySentence.values()) {
    const [first, second] = list;
    if (list.length === 2 && first !== undefined && second !== undefined && !first.labelled && !second.labelled) {
      first.role = 'old';
      second.role = 'new';
    }
  }
  const [one, other] = phones;
  if (phones.length === 2 && one !== undefined && other !== undefined && one.labelled !== other.labelled) {
    const [known, unknown] = one.labelled ? [one, other] : [other, one];
    if (known.role !== undefined && unknown.role === undefined) unknown.role = known.role === 'old' ? 'new' : 'old';
  }
  for (const [sentence, list] of bySentence) {
    const [only] = list;
    if (list.length !== 1 || only === undefined || only.role !== undefined) continue;
    const role = sentenceRole(sentenceWords(message, sentence));
    if (role !== undefined) {
      only.role = role;
      only.labelled = true;
    }
  }
  const unknown = phones.filter((phone) => phone.role === undefined);
  const [lone] = unknown;
  if (unknown.length === 1 && lone !== undefined) lone.role = hintedRole(hint);
}

function sentenceBounds(message: Message, sentence: number): [number, number] {
  return message.sentences[sentence] ?? [0, 0];
}

function sentenceWords(message: Message, sentence: number): string {
  const [start, end] = sentenceBounds(message, sentence);
  return message.words.slice(start, end);
}

function chooseCode(
  runs: ReturnType<typeof findNumbers>,
  message: Message,
  hint: DetailsHint,
): string | undefined {
  const candidates: Array<{ code: string; start: number; labelled: boolean }> = [];
  for (const run of runs) {
    if (run.code === undefined) continue;
    const sentence = message.sentenceOf[run.start] ?? 0;
    const [start, end] = sentenceBounds(message, sentence);
    const labelled = mentionsCode(message.words.slice(start, end));
    if (hint.expecting !== 'otp' && !labelled) continue;
    // "密码 123456" is a secret the customer should not have typed, never a code.
    if (looksLikeSecret(message.text.slice(start, end))) continue;
    const before = windowBefore(message.words, run.start, 0);
    candidates.push({ code: run.code, start: run.start, labelled: labelBefore(before, KIND_WORDS) === 'code' });
  }
  const last = candidates[candidates.length - 1];
  if (last === undefined) return undefined;
  if (candidates.every((candidate) => candidate.code === last.code)) return last.code;
  const labelled = candidates.filter((candidate) => candidate.labelled);
  const lastLabelled = labelled[labelled.length - 1];
  if (labelled.length > 0 && lastLabelled !== undefined && labelled.every((c) => c.code === lastLabelled.code)) {
    return lastLabelled.code;
  }
  // "123456 不对，是654321": the correction wins.
  return message.corrections.some((at) => at < last.start) ? last.code : undefined;
}

/**
 * A value is a correction when a correction word comes before it ("不对，卡号是…") and its slot is
 * plain: it is labelled, or it is the only value after that word ("卡号A，不对，应该是B"). When the
 * message holds a single value, the word may also come after it ("6225881234567898, sorry").
 */
function isCorrection(value: Value, values: readonly Value[], corrections: readonly number[]): boolean {
  if (values.length === 1) return corrections.length > 0;
  const before = corrections.filter((at) => at < value.start);
  const last = before[before.length - 1];
  if (last === undefined) return false;
  return value.labelled || values.filter((other) => other.start > last).length === 1;
}

function extract(raw: string, hint: DetailsHint): Details {
  const text = readable(raw);
  const runs = findNumbers(text);
  const words = masked(text, runs);
  const message: Message = { text, words, ...sentencesOf(words), corrections: correctionsIn(words) };

  const pieces = runs.flatMap((run) => run.pieces);
  const values: Value[] = [];
  const phones: PhoneFound[] = [];
  /** A trailing "是新号码" belongs to the number before it, not to the next one. */
  let labelsFrom = 0;
  for (const piece of pieces) {
    const before = windowBefore(words, piece.start, labelsFrom);
    const { after, reachesNumber } = windowAfter(words, piece.end);
    const kind =
      labelBefore(before, KIND_WORDS) ?? (reachesNumber ? undefined : labelAfter(after, KIND_WORDS));
    const field = chooseReading(piece, kind, hint);
    const trailing = trailingRole(after, reachesNumber);
    labelsFrom = trailing === undefined ? piece.end : piece.end + trailing.end;
    const { reading } = piece;
    if (field === 'card' && reading.card !== undefined) {
      values.push({ slot: 'card', value: reading.card, start: piece.start, labelled: kind === 'card' });
    } else if (field === 'id' && reading.id !== undefined) {
      values.push({
        slot: 'idNumber',
        value: reading.id.value,
        idType: reading.id.idType,
        start: piece.start,
        labelled: kind === 'id',
      });
    } else if (field === 'phone' && reading.phone !== undefined) {
      const role =
        trailing?.role ??
        labelBefore(before, ROLE_WORDS) ??
        (reachesNumber ? (isTransition(after) ? 'old' : undefined) : labelAfter(after, ROLE_WORDS));
      phones.push({
        start: piece.start,
        e164: reading.phone,
        sentence: message.sentenceOf[piece.start] ?? 0,
        role,
        labelled: role !== undefined,
      });
    }
  }

  assignRoles(phones, message, hint);
  for (const phone of phones) {
    if (phone.role === undefined) continue;
    values.push({
      slot: phone.role === 'old' ? 'oldPhone' : 'newPhone',
      value: phone.e164,
      start: phone.start,
      labelled: phone.labelled,
    });
  }
  values.sort((a, b) => a.start - b.start);

  const details: Details = { corrected: [] };
  const corrected = new Set<DetailSlot>();
  for (const value of values) {
    // Later values win: "卡号6222…，不对，是6225…".
    if (value.slot === 'card') details.card = value.value;
    else if (value.slot === 'idNumber') {
      details.idNumber = value.value;
      if (value.idType !== undefined) details.idType = value.idType;
    } else if (value.slot === 'oldPhone') details.oldPhone = value.value;
    else details.newPhone = value.value;
    if (isCorrection(value, values, message.corrections)) corrected.add(value.slot);
    else corrected.delete(value.slot);
  }
  details.corrected = SLOT_ORDER.filter((slot) => corrected.has(slot));

  const code = chooseCode(runs, message, hint);
  if (code !== undefined) details.code = code;
  return details;
}

/**
 * Reads the details in `text` (see {@link Details}). `hint` is what the bot asked for: it decides
 * what an unlabelled phone number is and whether a bare six-digit number is a code. Never throws.
 */
export function extractDetails(text: string, hint: DetailsHint = {}): Details {
  try {
    return extract(typeof text === 'string' ? text : '', hint ?? {});
  } catch {
    // Reading details is best effort: a message we cannot read has no details, never a failed turn.
    return { corrected: [] };
  }
}
