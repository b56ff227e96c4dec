/**
 * What the keyword recogniser looks at: a customer's message made comparable. One pass over a bounded
 * slice of the input, no backtracking regular expressions: safe and fast for any length.
 */

import { EMOJI, withoutMarkup } from '../../domain/markup';

/** Characters of the raw message read at all: room for markup and emoji that are stripped. */
const MAX_RAW = 4_000;
/** Characters of the normalised message looked at; the rest of a long message is ignored. */
export const MAX_LOOKED_AT = 500;

/** A Latin word or number, with its place in {@link NormalizedText.compact}. */
export interface Token {
  text: string;
  start: number;
  end: number;
  /** Only whitespace separates it from the previous token (so the two can form a phrase). */
  joined: boolean;
}

export interface NormalizedText {
  /** NFKC, lower case, markup and emoji removed, spaces collapsed, edge punctuation stripped. */
  text: string;
  /** `text` without whitespace: where Chinese words are looked for. */
  compact: string;
  /** `clauseStart[i]`: `compact[i]` begins the message or follows whitespace or punctuation. */
  clauseStart: boolean[];
  /** Latin words and numbers (`[a-z0-9']`), offsets into `compact`. */
  tokens: Token[];
  /** Han characters. */
  hanCount: number;
  /** Tokens with at least one letter. */
  wordCount: number;
  letterCount: number;
  digitCount: number;
  /** Longest run of consecutive digits in `compact`. */
  longestDigitRun: number;
  /** Has a question mark or ends in a question particle (吗, 呢, 么). */
  question: boolean;
}

const APOSTROPHES = /[\u2018\u2019\u02BC\u2032`]/g;
const WHITESPACE = /\s+/g;
const PUNCTUATION_OR_SYMBOL = /^[\p{P}\p{S}]$/u;
const HAN = /^\p{Script=Han}$/u;
const QUESTION_PARTICLES = new Set(['吗', '呢', '么']);

function isEdge(char: string): boolean {
  return char === ' ' || PUNCTUATION_OR_SYMBOL.test(char);
}

function isWordChar(char: string): boolean {
  return (char >= 'a' && char <= 'z') || (char >= '0' && char <= '9') || char === "'";
}

/** Normalises a message (or a keyword: both sides go through the same steps). Pure, O(n). */
export function normalizeText(raw: string): NormalizedText {
  let text = raw.length > MAX_RAW ? raw.slice(0, MAX_RAW) : raw;
  text = withoutMarkup(text);
  text = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(APOSTROPHES, "'")
    .replace(EMOJI, ' ')
    .replace(WHITESPACE, ' ');
  if (text.length > MAX_LOOKED_AT) text = text.slice(0, MAX_LOOKED_AT);
  const hasQuestionMark = text.includes('?');

  let start = 0;
  let end = text.length;
  while (start < end && isEdge(text[start] ?? '')) start += 1;
  while (end > start && isEdge(text[end - 1] ?? '')) end -= 1;
  text = text.slice(start, end);

  let compact = '';
  const clauseStart: boolean[] = [];
  const tokens: Token[] = [];
  let hanCount = 0;
  let letterCount = 0;
  let digitCount = 0;
  let digitRun = 0;
  let longestDigitRun = 0;
  let afterBreak = true;
  let word = '';
  let wordStart = 0;
  let gap = true;

  const flush = (): void => {
    if (word === '') return;
    let from = 0;
    let to = word.length;
    while (from < to && word[from] === "'") from += 1;
    while (to > from && word[to - 1] === "'") to -= 1;
    if (to > from) {
      tokens.push({ text: word.slice(from, to), start: wordStart + from, end: wordStart + to, joined: !gap });
      gap = false;
    }
    word = '';
  };

  for (const char of text) {
    if (char === ' ') {
      flush();
      afterBreak = true;
      digitRun = 0;
      continue;
    }
    if (isWordChar(char)) {
      if (word === '') wordStart = compact.length;
      word += char;
    } else {
      flush();
      gap = true;
    }
    if (char >= '0' && char <= '9') {
      digitCount += 1;
      digitRun += 1;
      if (digitRun > longestDigitRun) longestDigitRun = digitRun;
    } else {
      digitRun = 0;
      if (char >= 'a' && char <= 'z') letterCount += 1;
      else if (HAN.test(char)) hanCount += 1;
    }
    // Offsets are UTF-16 code units, like String#indexOf; an astral character takes two slots.
    for (let unit = 0; unit < char.length; unit++) clauseStart.push(unit === 0 && afterBreak);
    compact += char;
    afterBreak = PUNCTUATION_OR_SYMBOL.test(char);
  }
  flush();

  const last = text[text.length - 1] ?? '';
  return {
    text,
    compact,
    clauseStart,
    tokens,
    hanCount,
    wordCount: tokens.filter((token) => /[a-z]/.test(token.text)).length,
    letterCount,
    digitCount,
    longestDigitRun,
    question: hasQuestionMark || QUESTION_PARTICLES.has(last),
  };
}
