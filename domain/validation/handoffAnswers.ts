import { findDigitRuns } from './digitRuns';
import { digitsToAscii, foldToAscii } from './normalize';

/** Callback times are short phrases: "明天上午", "weekday evenings after 7". */
export const MAX_CALLBACK_TIME_CHARS = 60;

export type CallbackTimeCheck =
  | { ok: true; text: string }
  | { ok: false; reason: 'empty' | 'tooLong' | 'notATime' };

/**
 * A customer's preferred time for a call back: free text, one line, at most 60 characters, and not a
 * number (a run of 5+ digits is a phone, card or code typed here by mistake, and is never kept).
 */
export function validateCallbackTime(text: string): CallbackTimeCheck {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') return { ok: false, reason: 'empty' };
  if (line.length > MAX_CALLBACK_TIME_CHARS) return { ok: false, reason: 'tooLong' };
  if (findDigitRuns(digitsToAscii(line), 'loose').some((run) => run.digits.length >= 5)) {
    return { ok: false, reason: 'notATime' };
  }
  if (!/[\p{L}\p{N}]/u.test(line)) return { ok: false, reason: 'notATime' };
  return { ok: true, text: line };
}

const CHINESE_DIGITS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5 };

/**
 * A rating from 1 to 5 in a short answer: "5", "５分", "4 Good" (the buttons), "五星", "3/5",
 * "★★★★". Undefined when the answer is not a rating.
 */
export function parseRating(text: string): number | undefined {
  const t = foldToAscii(text).trim();
  if (t === '' || t.length > 24) return undefined;
  const stars = /^[★⭐]{1,5}/u.exec(t);
  if (stars) return [...stars[0]].length;
  const digit = /^([1-5])(?!\d)(?:\s*(?:\/\s*5|分|星|stars?|points?)?)/i.exec(t);
  if (digit?.[1]) return Number(digit[1]);
  const chinese = /^([一二两三四五])\s*(?:分|星|颗星)/.exec(t);
  if (chinese?.[1]) return CHINESE_DIGITS[chinese[1]];
  return undefined;
}
