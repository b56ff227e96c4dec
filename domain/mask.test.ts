import { maskCard, maskDigitsInText, maskId, maskPhone } from './mask';

const HTML = '<script>alert(1)</script>';

describe('maskCard', () => {
  test.each<[string, string]>([
    ['6222021234567890123', '6222 **** **** 0123'],
    ['4111111111111111', '4111 **** **** 1111'],
    ['4222222222222', '4222 **** **** 2222'],
    ['6222 0212-3456 7890 123', '6222 **** **** 0123'],
    ['６２２２０２１２３４５６７８９０１２３', '6222 **** **** 0123'],
    ['12345678', '1234 **** **** 5678'],
    ['1234567', '****'],
    ['', '****'],
    ['   ', '****'],
    [HTML, '****'],
    ['💳', '****'],
  ])('maskCard(%j) = %j', (input, expected) => {
    expect(maskCard(input)).toBe(expected);
  });
});

describe('maskPhone', () => {
  test.each<[string, string]>([
    ['+8613800138000', '138****8000'],
    ['13800138000', '138****8000'],
    ['+86 138 0013 8000', '138****8000'],
    ['0086 13800138000', '138****8000'],
    ['8613800138000', '138****8000'],
    ['１３８００１３８０００', '138****8000'],
    ['+447911123456', '+44 ****3456'],
    ['+1 212 555 0123', '+1 ****0123'],
    ['0044 7911 123456', '+44 ****3456'],
    ['+86 10 1234 5678', '+86 ****5678'],
    ['010 12345678', '+86 ****5678'],
    ['123', '****'],
    ['', '****'],
    [HTML, '****'],
  ])('maskPhone(%j) = %j', (input, expected) => {
    expect(maskPhone(input)).toBe(expected);
  });
});

describe('maskId', () => {
  test.each<[string, string]>([
    ['11010519491231002X', '1101**********002X'],
    ['11010519491231002x', '1101**********002X'],
    ['440304199003074561', '4403**********4561'],
    ['110105491231002', '1101*******1002'],
    ['E12345678', 'E1*****78'],
    ['g12345678', 'G1*****78'],
    ['K1234567', 'K1****67'],
    ['C01X00T47', 'C0*****47'],
    ['E1234', '****'],
    ['', '****'],
  ])('maskId(%j) = %j', (input, expected) => {
    expect(maskId(input)).toBe(expected);
  });
});

describe('maskDigitsInText', () => {
  test.each<[string, string, string]>([
    ['card', '卡号 6222021234567890123', '卡号 6222 **** **** 0123'],
    ['spaced card', 'card 6222 0212 3456 7890 123 thanks', 'card 6222 **** **** 0123 thanks'],
    ['dashed card', '4111-1111-1111-1111.', '4111 **** **** 1111.'],
    ['fullwidth card', '卡号６２２２０２１２３４５６７８９０１２３', '卡号6222 **** **** 0123'],
    ['fullwidth ID with fullwidth separators and Ｘ', '证：１１０１０５－１９４９１２３１－００２Ｘ，', '证：1101**********002X，'],
    ['fullwidth punctuation kept', '手机：13800138000（本人）', '手机：138****8000（本人）'],
    ['CN mobile', '手机13800138000', '手机138****8000'],
    ['CN mobile with +86 and dashes', 'call +86 138-0013-8000 pls', 'call 138****8000 pls'],
    ['CN mobile with 0086', 'tel 0086 138 0013 8000', 'tel 138****8000'],
    ['foreign mobile', 'uk +44 7911 123456', 'uk +44 ****3456'],
    ['resident ID ending in X', '身份证11010519491231002X。', '身份证1101**********002X。'],
    ['resident ID ending in lowercase x', 'id 11010519491231002x', 'id 1101**********002X'],
    ['resident ID all digits', 'id 440304199003074561', 'id 4403**********4561'],
    ['OTP', '验证码 123456', '验证码 ******'],
    ['passport digits', '护照 E12345678', '护照 E********'],
    ['other long number', 'ref 1234567890', 'ref **********'],
    ['short numbers untouched', 'CVV 123, pin 1234, 5分钟, 2024年', 'CVV 123, pin 1234, 5分钟, 2024年'],
    ['five digits untouched', 'zip 10001', 'zip 10001'],
    ['several numbers', '6222021234567890123 / 13800138000', '6222 **** **** 0123 / 138****8000'],
    ['no digits', '你好，我想换绑手机号', '你好，我想换绑手机号'],
    ['HTML untouched', HTML, HTML],
    ['HTML around a card', `<b>6222021234567890123</b>`, '<b>6222 **** **** 0123</b>'],
    ['emoji kept', '📱13800138000📱', '📱138****8000📱'],
    ['empty', '', ''],
    ['whitespace only', ' \u3000 ', ' \u3000 '],
  ])('%s', (_name, input, expected) => {
    expect(maskDigitsInText(input)).toBe(expected);
  });

  test('no run of 6+ digits survives, whatever the spacing', () => {
    const text = '卡 6222 0212 3456 7890 123，手机 138 - 0013 - 8000，码 1 2 3 4 5 6，证 110105.19491231.002X';
    const masked = maskDigitsInText(text);
    expect(masked.replace(/[\s\-.]/g, '')).not.toMatch(/\d{6}/);
  });

  test('100 KB of text is masked whole', () => {
    const text = '我的卡号是 6222 0212 3456 7890 123 手机13800138000 '.repeat(2_300); // ~100 KB
    expect(text.length).toBeGreaterThan(100_000);
    const masked = maskDigitsInText(text);
    expect(masked).not.toMatch(/\d{6}/);
    expect(masked.startsWith('我的卡号是 6222 **** **** 0123 手机138****8000 ')).toBe(true);
  });

  test('100 KB of digits becomes 100 KB of stars', () => {
    expect(maskDigitsInText('9'.repeat(100_000))).toBe('*'.repeat(100_000));
  });
});
