import { findDigitRuns } from './digitRuns';
import { foldToAscii, normalizeDigits } from './normalize';
import type { OtpCheck } from './types';

/** A sentence longer than this is not "a short sentence with the code in it". */
const MAX_SENTENCE_CHARS = 64;
const OTP_LENGTH = 6;

/**
 * Validates a 6-digit one-time code: the whole input ("123456", "１２３ ４５６"), or the single
 * 6-digit group in a short sentence ("验证码是 123456", "code: 123456"). A group glued to Latin
 * letters ("E123456") does not count; two 6-digit groups are ambiguous → 'format'.
 */
export function validateOtp(text: string): OtpCheck {
  const trimmed = text.trim();
  if (trimmed.length > MAX_SENTENCE_CHARS) return { ok: false, reason: 'format' };
  const compact = normalizeDigits(trimmed);
  if (compact === '') return { ok: false, reason: 'empty' };
  if (/^\d+$/.test(compact)) {
    return compact.length === OTP_LENGTH ? { ok: true, code: compact } : { ok: false, reason: 'format' };
  }

  const ascii = foldToAscii(trimmed);
  const candidates = findDigitRuns(ascii, 'strict').filter(
    (run) =>
      !run.plus &&
      run.digits.length === OTP_LENGTH &&
      !/[A-Za-z]/.test(ascii.charAt(run.start - 1)) &&
      !/[A-Za-z]/.test(ascii.charAt(run.end)),
  );
  const [only] = candidates;
  if (candidates.length === 1 && only !== undefined) return { ok: true, code: only.digits };
  return { ok: false, reason: 'format' };
}
