import {
  digitsToAscii,
  findDigitRuns,
  foldToAscii,
  isPlausibleBirthDate,
  looksLikeSecret,
  luhnValid,
  normalizeDigits,
  residentIdCheckChar,
  validateCardNumber,
  validateIdNumber,
  validateMobile,
  validateOtp,
} from './index';
import type { CardCheck, IdCheck, OtpCheck, PhoneCheck } from './types';

/** Pinned clock for birth-date rules: 1 June 2024, local time. */
const NOW = new Date(2024, 5, 1, 12, 0, 0);

const HUGE_DIGITS = '1'.repeat(100_000);
const HUGE_TEXT = '我的卡号是 6222 0212 3456 7890 123 '.repeat(4_000); // ~100 KB of prose
const HTML = '<script>alert(1)</script>';


describe('normalizeDigits', () => {
  test.each<[string, string, string]>([
    ['ASCII digits unchanged', '13800138000', '13800138000'],
    ['fullwidth digits', '１３８００１３８０００', '13800138000'],
    ['fullwidth X and plus', '＋８６ １１０１０５１９４９１２３１００２Ｘ', '+8611010519491231002X'],
    ['fullwidth lowercase letters', 'ｅ１２３', 'e123'],
    ['Arabic-Indic digits', '٠١٢٣٤٥٦٧٨٩', '0123456789'],
    ['Devanagari digits', '१२३', '123'],
    ['mathematical double-struck digits (astral plane)', '𝟘𝟙𝟚𝟟𝟡', '01279'],
    ['spaces, NBSP, ideographic space, tab', '138 0013\u00a08000\u3000\t1', '138001380001'],
    ['ASCII, Unicode and fullwidth dashes', '1-2‐3–4—5－6', '123456'],
    ['dots and parentheses, ASCII and fullwidth', '(010) 1234.5678 （0）。', '010123456780'],
    ['zero-width characters', '123\u200b456\ufeff', '123456'],
    ['letters and CJK kept', 'abc 卡号', 'abc卡号'],
    ['empty', '', ''],
    ['whitespace only', ' \u3000\u00a0 ', ''],
    ['emoji kept', '📱138', '📱138'],
  ])('%s', (_name, input, expected) => {
    expect(normalizeDigits(input)).toBe(expected);
  });

  test('100 KB of CJK text is normalised in linear time', () => {
    const input = '我想换绑手机号，谢谢'.repeat(10_000);
    const out = normalizeDigits(input);
    expect(out === '我想换绑手机号,谢谢'.repeat(10_000)).toBe(true); // fullwidth comma folded
  });

  test('100 KB of input is normalised in linear time', () => {
    const input = '１２３ ４５６-'.repeat(12_500); // 100,000 characters
    const out = normalizeDigits(input);
    expect(out).toHaveLength(75_000);
    expect(out.startsWith('123456123456')).toBe(true);
  });
});

describe('digitsToAscii / foldToAscii', () => {
  test.each<[string, string, string]>([
    ['手机：１３８（本人）', '手机：138（本人）', '手机:138(本人)'],
    ['ＣＶＶ ٣٤٥', 'ＣＶＶ 345', 'CVV 345'],
    ['', '', ''],
  ])('%j', (input, digitsOnly, folded) => {
    expect(digitsToAscii(input)).toBe(digitsOnly);
    expect(foldToAscii(input)).toBe(folded);
  });
});

describe('validateCardNumber', () => {
  test.each<[string, string, CardCheck]>([
    ['Visa test number', '4111111111111111', { ok: true, value: '4111111111111111' }],
    ['Mastercard test number, spaced', '5555 5555 5555 4444', { ok: true, value: '5555555555554444' }],
    ['13-digit Visa (shortest length)', '4222222222222', { ok: true, value: '4222222222222' }],
    ['19-digit non-UnionPay passing Luhn', '9559981234567890128', { ok: true, value: '9559981234567890128' }],
    ['UnionPay 16 digits passing Luhn', '6222021234567894', { ok: true, value: '6222021234567894' }],
    ['UnionPay 16 digits failing Luhn is still accepted', '6222021234567890', { ok: true, value: '6222021234567890' }],
    ['UnionPay 19 digits failing Luhn is still accepted', '6222021234567890123', { ok: true, value: '6222021234567890123' }],
    ['UnionPay with dashes and fullwidth digits', '６２２２-０２１２-３４５６-７８９０-１２３', { ok: true, value: '6222021234567890123' }],
    ['surrounding whitespace', '  4111 1111 1111 1111\u3000', { ok: true, value: '4111111111111111' }],
    ['Visa failing Luhn', '4111111111111112', { ok: false, reason: 'checksum' }],
    ['19-digit non-UnionPay failing Luhn', '9559981234567890123', { ok: false, reason: 'checksum' }],
    ['62 prefix but 15 digits: not UnionPay length, Luhn applies', '622202123456789', { ok: false, reason: 'checksum' }],
    ['12 digits', '411111111111', { ok: false, reason: 'length' }],
    ['20 digits', '62220212345678901234', { ok: false, reason: 'length' }],
    ['letters', '4111a11111111111', { ok: false, reason: 'notDigits' }],
    ['a sentence', '我的卡号是6222021234567890123', { ok: false, reason: 'notDigits' }],
    ['HTML markup', HTML, { ok: false, reason: 'notDigits' }],
    ['emoji', '💳💳💳', { ok: false, reason: 'notDigits' }],
    ['negative sign is just a dash; a plus is not a digit', '+4111111111111111', { ok: false, reason: 'notDigits' }],
    ['empty', '', { ok: false, reason: 'empty' }],
    ['whitespace only', ' \t\u3000\u00a0', { ok: false, reason: 'empty' }],
    ['separators only', '- - ( )', { ok: false, reason: 'empty' }],
  ])('%s', (_name, input, expected) => {
    expect(validateCardNumber(input)).toEqual(expected);
  });

  test.each<[string, string, CardCheck]>([
    ['100 KB of digits', HUGE_DIGITS, { ok: false, reason: 'length' }],
    ['100 KB of prose', HUGE_TEXT, { ok: false, reason: 'notDigits' }],
    ['65 digits', '4'.repeat(65), { ok: false, reason: 'length' }],
  ])('long input is refused, not crashed on: %s', (_name, input, expected) => {
    expect(validateCardNumber(input)).toEqual(expected);
  });

  test.each<[string, boolean]>([
    ['4111111111111111', true],
    ['4111111111111112', false],
    ['79927398713', true],
    ['79927398710', false],
  ])('luhnValid(%s) = %s', (digits, expected) => {
    expect(luhnValid(digits)).toBe(expected);
  });
});

describe('validateIdNumber', () => {
  test.each<[string, string, IdCheck]>([
    ['valid resident ID with X', '11010519491231002X', { ok: true, idType: 'CN_RESIDENT', value: '11010519491231002X' }],
    ['lowercase x is uppercased', '11010519491231002x', { ok: true, idType: 'CN_RESIDENT', value: '11010519491231002X' }],
    ['fullwidth digits and Ｘ', '１１０１０５１９４９１２３１００２Ｘ', { ok: true, idType: 'CN_RESIDENT', value: '11010519491231002X' }],
    ['spaced in groups', ' 110105 19491231 002X ', { ok: true, idType: 'CN_RESIDENT', value: '11010519491231002X' }],
    ['valid resident ID with digit check', '440304199003074561', { ok: true, idType: 'CN_RESIDENT', value: '440304199003074561' }],
    ['leap-year birth 2000-02-29', '110105200002291235', { ok: true, idType: 'CN_RESIDENT', value: '110105200002291235' }],
    ['leap-year birth 1980-02-29', '110105198002291235', { ok: true, idType: 'CN_RESIDENT', value: '110105198002291235' }],
    ['born today (pinned clock)', '440304202406010014', { ok: true, idType: 'CN_RESIDENT', value: '440304202406010014' }],
    ['wrong check character', '110105194912310021', { ok: false, reason: 'checksum' }],
    ['one digit changed', '11010519491231003X', { ok: false, reason: 'checksum' }],
    ['Feb 30 (checksum otherwise right)', '110105194902300020', { ok: false, reason: 'birthDate' }],
    ['1900-02-29: 1900 is not a leap year', '110105190002291239', { ok: false, reason: 'birthDate' }],
    ['born 1899', '110105189912311237', { ok: false, reason: 'birthDate' }],
    ['born tomorrow (pinned clock)', '44030420240602001X', { ok: false, reason: 'birthDate' }],
    ['born 2030', '110105203001011231', { ok: false, reason: 'birthDate' }],
    ['month 13', '110105194913310021', { ok: false, reason: 'birthDate' }],
    ['day 00', '110105194912000021', { ok: false, reason: 'birthDate' }],
    ['17 digits', '11010519491231002', { ok: false, reason: 'format' }],
    ['19 characters', '11010519491231002X1', { ok: false, reason: 'format' }],
    ['X in the middle', '1101051949123X0021', { ok: false, reason: 'format' }],
    ['old 15-digit ID is not accepted', '110105491231002', { ok: false, reason: 'format' }],
    ['HTML markup', HTML, { ok: false, reason: 'format' }],
    ['emoji', '🪪11010519491231002X', { ok: false, reason: 'format' }],
    ['empty', '', { ok: false, reason: 'empty' }],
    ['whitespace only', '   \u3000', { ok: false, reason: 'empty' }],
  ])('resident ID: %s', (_name, input, expected) => {
    expect(validateIdNumber(input, NOW)).toEqual(expected);
  });

  test.each<[string, string, IdCheck]>([
    ['Chinese ordinary passport E', 'E12345678', { ok: true, idType: 'PASSPORT', value: 'E12345678' }],
    ['Chinese passport G, lowercase, spaced', ' g1234 5678 ', { ok: true, idType: 'PASSPORT', value: 'G12345678' }],
    ['two letters + 7 digits', 'EA1234567', { ok: true, idType: 'PASSPORT', value: 'EA1234567' }],
    ['two letters + 8 digits', 'AB12345678', { ok: true, idType: 'PASSPORT', value: 'AB12345678' }],
    ['foreign letter + 7 digits', 'K1234567', { ok: true, idType: 'PASSPORT', value: 'K1234567' }],
    ['fullwidth', 'Ｅ１２３４５６７８', { ok: true, idType: 'PASSPORT', value: 'E12345678' }],
    ['alphanumeric (German style)', 'C01X00T47', { ok: true, idType: 'PASSPORT', value: 'C01X00T47' }],
    ['6 alphanumerics', 'P12A45', { ok: true, idType: 'PASSPORT', value: 'P12A45' }],
    ['letters only is not a passport', 'PASSPORT', { ok: false, reason: 'format' }],
    ['starts with a digit', '123456789', { ok: false, reason: 'format' }],
    ['too short', 'E1234', { ok: false, reason: 'format' }],
    ['three letters + 8 digits', 'ABC12345678', { ok: false, reason: 'format' }],
    ['prefix word is not stripped', '护照E12345678', { ok: false, reason: 'format' }],
    ['punctuation', 'E1234567!', { ok: false, reason: 'format' }],
  ])('passport: %s', (_name, input, expected) => {
    expect(validateIdNumber(input, NOW)).toEqual(expected);
  });

  test.each<[string, string]>([
    ['100 KB of digits', HUGE_DIGITS],
    ['100 KB of prose', HUGE_TEXT],
  ])('long input is refused, not crashed on: %s', (_name, input) => {
    expect(validateIdNumber(input, NOW)).toEqual({ ok: false, reason: 'format' });
  });

  test('defaults the clock to now', () => {
    expect(validateIdNumber('11010519491231002X')).toEqual({
      ok: true,
      idType: 'CN_RESIDENT',
      value: '11010519491231002X',
    });
  });

  test.each<[string, string]>([
    ['11010519491231002', 'X'],
    ['44030419900307456', '1'],
    ['11010520000229123', '5'],
  ])('residentIdCheckChar(%s) = %s', (first17, expected) => {
    expect(residentIdCheckChar(first17)).toBe(expected);
  });

  test.each<[string, boolean]>([
    ['20000229', true],
    ['19000229', false],
    ['20240229', true],
    ['20230229', false],
    ['19490431', false],
    ['19000101', true],
    ['18991231', false],
    ['20240601', true],
    ['20240602', false],
  ])('isPlausibleBirthDate(%s) = %s', (date, expected) => {
    expect(isPlausibleBirthDate(date, NOW)).toBe(expected);
  });
});

describe('validateMobile', () => {
  const OK: PhoneCheck = { ok: true, e164: '+8613800138000' };
  test.each<[string, string, PhoneCheck]>([
    ['national', '13800138000', OK],
    ['+86 with spaces', '+86 138 0013 8000', OK],
    ['0086 prefix', '0086 13800138000', OK],
    ['86 prefix with dashes', '86-138-0013-8000', OK],
    ['bare 86 prefix', '8613800138000', OK],
    ['(+86) in parentheses', '(+86) 138-0013-8000', OK],
    ['fullwidth digits and plus', '＋８６ １３８ ００１３ ８０００', OK],
    ['fullwidth dashes and ideographic spaces', '１３８－００１３－８０００\u3000', OK],
    ['virtual-operator mobile 170', '17012345678', { ok: true, e164: '+8617012345678' }],
    ['UK mobile with +44', '+44 7911 123456', { ok: true, e164: '+447911123456' }],
    ['US number (fixed line or mobile)', '+1 212 555 0123', { ok: true, e164: '+12125550123' }],
    ['Beijing landline', '010 12345678', { ok: false, reason: 'notMobile' }],
    ['Beijing landline with +86', '+86 10 1234 5678', { ok: false, reason: 'notMobile' }],
    ['400 service number', '400 810 8888', { ok: false, reason: 'notMobile' }],
    ['UK landline', '+44 20 7946 0958', { ok: false, reason: 'notMobile' }],
    ['unassigned CN prefix', '12345678901', { ok: false, reason: 'format' }],
    ['too short', '1380013', { ok: false, reason: 'format' }],
    ['bank short code', '95588', { ok: false, reason: 'format' }],
    ['words around the number', 'call 13800138000 now', { ok: false, reason: 'format' }],
    ['plus in the middle', '138+00138000', { ok: false, reason: 'format' }],
    ['HTML markup', HTML, { ok: false, reason: 'format' }],
    ['emoji', '📱13800138000', { ok: false, reason: 'format' }],
    ['empty', '', { ok: false, reason: 'empty' }],
    ['whitespace only', ' \u3000 ', { ok: false, reason: 'empty' }],
  ])('%s', (_name, input, expected) => {
    expect(validateMobile(input)).toEqual(expected);
  });

  test.each<[string, string]>([
    ['100 KB of digits', HUGE_DIGITS],
    ['100 KB of prose', HUGE_TEXT],
    ['65 characters', `+86 ${'1'.repeat(61)}`],
  ])('long input is refused, not crashed on: %s', (_name, input) => {
    expect(validateMobile(input)).toEqual({ ok: false, reason: 'format' });
  });
});

describe('validateOtp', () => {
  test.each<[string, string, OtpCheck]>([
    ['six digits', '123456', { ok: true, code: '123456' }],
    ['leading zeros kept', '000123', { ok: true, code: '000123' }],
    ['fullwidth', '１２３４５６', { ok: true, code: '123456' }],
    ['spaced', ' 123 456 ', { ok: true, code: '123456' }],
    ['dashed', '123-456', { ok: true, code: '123456' }],
    ['in a Chinese sentence', '验证码是 123456', { ok: true, code: '123456' }],
    ['in a Chinese sentence, no space', '验证码是１２３４５６。', { ok: true, code: '123456' }],
    ['in an English sentence', 'code 123456', { ok: true, code: '123456' }],
    ['after a colon', 'the code is: 123456 thanks', { ok: true, code: '123456' }],
    ['next to a short number', '验证码123456，5分钟内有效', { ok: true, code: '123456' }],
    ['five digits', '12345', { ok: false, reason: 'format' }],
    ['seven digits', '1234567', { ok: false, reason: 'format' }],
    ['two codes are ambiguous', '123456 or 654321', { ok: false, reason: 'format' }],
    ['glued to letters', 'E123456', { ok: false, reason: 'format' }],
    ['no digits', '我没收到验证码', { ok: false, reason: 'format' }],
    ['phone number in a sentence', '我的手机 13800138000', { ok: false, reason: 'format' }],
    ['HTML markup', HTML, { ok: false, reason: 'format' }],
    ['HTML around a code', `<b>123456</b>${HTML}`, { ok: true, code: '123456' }],
    ['emoji', '🔑🔑', { ok: false, reason: 'format' }],
    ['emoji around a code', '👉123456👈', { ok: true, code: '123456' }],
    ['empty', '', { ok: false, reason: 'empty' }],
    ['whitespace only', ' \u3000\u00a0', { ok: false, reason: 'empty' }],
  ])('%s', (_name, input, expected) => {
    expect(validateOtp(input)).toEqual(expected);
  });

  test.each<[string, string]>([
    ['100 KB of digits', HUGE_DIGITS],
    ['100 KB of prose with a code', `验证码 123456 ${HUGE_TEXT}`],
  ])('long input is refused, not crashed on: %s', (_name, input) => {
    expect(validateOtp(input)).toEqual({ ok: false, reason: 'format' });
  });
});

describe('looksLikeSecret', () => {
  test.each<[string, string]>([
    ['CVV', 'CVV 123'],
    ['cvv2 in Chinese', 'cvv2是456'],
    ['CVC', 'my cvc: 789'],
    ['CVN2', 'CVN2 321'],
    ['fullwidth letters and digits', 'ＣＶＶ：１２３'],
    ['cvv2 then a space', 'cvv2 456'],
    ['安全码', '安全码 123'],
    ['密码', '我的密码是123456'],
    ['交易密码 with spaced digits', '我的交易密码 是 8 8 8 8 8 8'],
    ['取款密码', '取款密码 654321'],
    ['支付密码 fullwidth digits', '支付密码：１２３４５６'],
    ['number before the word', '123456是我的密码'],
    ['PIN', 'pin 1234'],
    ['PIN code', 'PIN code 1234'],
    ['password', 'password: 888888'],
    ['passcode', 'Passcode 4321'],
    ['digits on the back', '背面三位数 123'],
    ['back of the card', 'the back of the card says 456'],
  ])('true: %s', (_name, input) => {
    expect(looksLikeSecret(input)).toBe(true);
  });

  test.each<[string, string]>([
    ['bare 6-digit number (an OTP)', '123456'],
    ['OTP in a sentence', '验证码是 123456'],
    ['card number', '6222021234567890123'],
    ['card number after 密码 is not a PIN', '密码忘了，卡号 6222 0212 3456 7890 123'],
    ['phone number', '我的密码忘了，手机13800138000'],
    ['密码 without digits', '忘记密码了'],
    ['password without digits', 'I forgot my password'],
    ['code word between password and number', '重置密码，验证码 123456'],
    ['too few digits', 'pin 12'],
    ['too many digits', 'pin 1234567'],
    ['pin inside another word', 'spinning 123'],
    ['number far away from the word', `密码${'，'.repeat(30)}123456`],
    ['HTML markup', HTML],
    ['emoji', '🔒🔒 123'],
    ['empty', ''],
    ['whitespace only', '   '],
  ])('false: %s', (_name, input) => {
    expect(looksLikeSecret(input)).toBe(false);
  });

  test('100 KB of text is handled', () => {
    expect(looksLikeSecret(HUGE_TEXT)).toBe(false);
    expect(looksLikeSecret(`${'x'.repeat(100_000)} cvv 123`)).toBe(false);
  });
});

describe('findDigitRuns', () => {
  test.each<[string, 'strict' | 'loose', string[]]>([
    ['a 138 0013 8000 b', 'strict', ['13800138000']],
    ['a 138 - 0013 - 8000 b', 'strict', ['138', '0013', '8000']],
    ['a 138 - 0013 - 8000 b', 'loose', ['13800138000']],
    ['+86 138', 'strict', ['86138']],
    ['no digits', 'loose', []],
  ])('%s (%s)', (text, mode, expected) => {
    expect(findDigitRuns(text, mode).map((run) => run.digits)).toEqual(expected);
  });
});
