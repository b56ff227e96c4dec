import { findDigitRuns } from './digitRuns';
import { foldToAscii } from './normalize';

/**
 * Words that name a secret the bot must never receive: card security code (CVV/CVV2/CVC/CVN2,
 * 安全码, "the three digits on the back"), card PIN (交易/取款/支付/查询密码, PIN) or a password.
 * Matched case-insensitively; English words must not be glued to other Latin letters.
 */
const SECRET_WORD = new RegExp(
  [
    '(?<![a-z])(?:cvv2?|cvc2?|cvn2?|csc|pin(?:\\s?(?:code|number))?|pwd|passwd|password|passcode|security\\s?code)(?![a-z])',
    '密码|口令|安全码|卡背|背面',
    'back\\s+of\\s+(?:the|my)\\s+card',
  ].join('|'),
  'gi',
);

/** Words for the one-time code: a number next to these is a code, not a secret. */
const OTP_WORD = /验证码|动态码|短信码|校验码|otp|one[\s-]?time|verification\s?code|sms\s?code/i;

/** How far (in characters) a number may sit from the secret word and still be "that secret". */
const NEAR = 16;
/** Long messages are scanned only this far: a secret is typed in a short sentence. */
const MAX_SCAN_CHARS = 2000;

const SECRET_DIGITS_MIN = 3;
const SECRET_DIGITS_MAX = 6;

/**
 * True when the customer seems to be typing a CVV, a PIN or a password together with its
 * 3–6 digits ("CVV 123", "cvv2是456", "我的密码是123456", "pin 1234", "password: 888888",
 * "背面三位数 123", "123456 是我的密码"). False for bare numbers (a lone 6-digit number is an OTP),
 * for card and phone numbers, for secret words without digits ("忘记密码了"), and when a code word
 * stands between the secret word and the number ("重置密码，验证码 123456").
 */
export function looksLikeSecret(text: string): boolean {
  const ascii = foldToAscii(text.slice(0, MAX_SCAN_CHARS));
  const words = [...ascii.matchAll(SECRET_WORD)];
  if (words.length === 0) return false;
  // Blank the words out (same length, not a separator) so "cvv2 456" does not read as "2 456".
  const blanked = ascii.replace(SECRET_WORD, (word) => '#'.repeat(word.length));
  const numbers = findDigitRuns(blanked, 'strict').filter(
    (run) =>
      !run.plus &&
      run.digits.length >= SECRET_DIGITS_MIN &&
      run.digits.length <= SECRET_DIGITS_MAX,
  );
  return words.some((word) => {
    const wordStart = word.index ?? 0;
    const wordEnd = wordStart + word[0].length;
    return numbers.some((run) => {
      const between =
        run.start >= wordEnd ? ascii.slice(wordEnd, run.start) : ascii.slice(run.end, wordStart);
      return between.length <= NEAR && !OTP_WORD.test(between);
    });
  });
}
