/**
 * Finds numbers inside free text: runs of digits, where a few separators between two digits
 * ("138 0013 8000", "6222-0212-…") are part of the run. Expects ASCII digits (see digitsToAscii / foldToAscii).
 */

export type DigitRun = {
  /** index of the first character of the run in the searched text */
  start: number;
  /** index just past the run */
  end: number;
  /** the run as written, separators included */
  text: string;
  /** the digits only */
  digits: string;
  /** written with a leading '+' (an international phone number) */
  plus: boolean;
};

/**
 * Loose: up to three separators of any kind (spaces, dashes, dots, parentheses) between digits.
 * For masking, where joining too much is the safe mistake.
 */
const LOOSE_RUN = /\+?\d(?:[\s\-\u2010-\u2015\u2212\ufe63\uff0d.\u3002\uff0e()\uff08\uff09]{0,3}\d)*/g;

/** Strict: one space or dash between digits. For picking a code out of a sentence. */
const STRICT_RUN = /\+?\d(?:[ \u00a0\u3000-]?\d)*/g;

export function findDigitRuns(text: string, mode: 'loose' | 'strict' = 'strict'): DigitRun[] {
  const pattern = new RegExp(mode === 'loose' ? LOOSE_RUN : STRICT_RUN);
  const runs: DigitRun[] = [];
  for (const match of text.matchAll(pattern)) {
    const start = match.index ?? 0;
    const runText = match[0];
    runs.push({
      start,
      end: start + runText.length,
      text: runText,
      digits: runText.replace(/\D/g, ''),
      plus: runText.startsWith('+'),
    });
  }
  return runs;
}
