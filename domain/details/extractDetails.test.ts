import { extractDetails, type Details, type DetailsHint } from './index';

// Demo values: valid per the validators in domain/validation.
const CARD = '6222021234567890128'; // UnionPay, 19 digits
const CARD2 = '6225881234567898'; // UnionPay, 16 digits
const ID = '11010519491231002X';
const ID2 = '310104199003070026';
/** A valid resident ID that also passes Luhn: a valid card number too. */
const ID_OR_CARD = '310104199003070149';
const OLD = '+8613800138000';
const NEW = '+8618612345678';
const OTHER = '+8613900139000';

const found = (fields: Omit<Details, 'corrected'> & { corrected?: Details['corrected'] } = {}): Details => ({
  corrected: [],
  ...fields,
});
const resident = (idNumber: string): Partial<Details> => ({ idType: 'CN_RESIDENT', idNumber });
const none: DetailsHint = {};

type Row = [text: string, hint: DetailsHint, expected: Details];

const everything: Row[] = [
  [
    '我要把卡6222021234567890128的预留手机从13800138000换成18612345678，身份证11010519491231002X',
    none,
    found({ card: CARD, ...resident(ID), oldPhone: OLD, newPhone: NEW }),
  ],
  [
    'I want to change the phone for card 6222 0212 3456 7890 128 from +86 138 0013 8000 to +86 186 1234 5678, ID 11010519491231002X',
    none,
    found({ card: CARD, ...resident(ID), oldPhone: OLD, newPhone: NEW }),
  ],
  [
    '身份证号码：310104199003070026，银行卡：6225881234567898，原手机：13900139000，新手机：18612345678',
    none,
    found({ card: CARD2, ...resident(ID2), oldPhone: OTHER, newPhone: NEW }),
  ],
  [
    'my ID is 11010519491231002X and card 6225881234567898',
    none,
    found({ card: CARD2, ...resident(ID) }),
  ],
  ['护照E12345678，卡号6222021234567890128', none, found({ card: CARD, idType: 'PASSPORT', idNumber: 'E12345678' })],
];

const phonePatterns: Row[] = [
  ['从13800138000换成18612345678', none, found({ oldPhone: OLD, newPhone: NEW })],
  ['13800138000改为18612345678', none, found({ oldPhone: OLD, newPhone: NEW })],
  ['13800138000 换成 18612345678', none, found({ oldPhone: OLD, newPhone: NEW })],
  ['13800138000→18612345678', none, found({ oldPhone: OLD, newPhone: NEW })],
  ['13800138000 -> 18612345678', none, found({ oldPhone: OLD, newPhone: NEW })],
  ['old 13800138000 new 18612345678', none, found({ oldPhone: OLD, newPhone: NEW })],
  ['from 13800138000 to 18612345678', none, found({ oldPhone: OLD, newPhone: NEW })],
  ['change 13800138000 to 18612345678 please', none, found({ oldPhone: OLD, newPhone: NEW })],
  ['原手机号13800138000，新手机号18612345678', none, found({ oldPhone: OLD, newPhone: NEW })],
  ['新号18612345678，旧号13800138000', none, found({ oldPhone: OLD, newPhone: NEW })],
  ['new: 18612345678, old: 13800138000', none, found({ oldPhone: OLD, newPhone: NEW })],
  ['13800138000 (old) 18612345678 (new)', none, found({ oldPhone: OLD, newPhone: NEW })],
  ['13800138000是旧号码 18612345678是新号码', none, found({ oldPhone: OLD, newPhone: NEW })],
  ['我要把13800138000换成新号码18612345678', none, found({ oldPhone: OLD, newPhone: NEW })],
  ['现在的号码13800138000要换成18612345678', none, found({ oldPhone: OLD, newPhone: NEW })],
  ['my old number is 13800138000 and my new one is 18612345678', none, found({ oldPhone: OLD, newPhone: NEW })],
  // two unlabelled phones in one sentence: first old, second new
  ['13800138000 18612345678', none, found({ oldPhone: OLD, newPhone: NEW })],
  ['13800138000，18612345678', none, found({ oldPhone: OLD, newPhone: NEW })],
  // one phone, labelled by the words around it
  ['新号码是18612345678', none, found({ newPhone: NEW })],
  ['13800138000是新号码', none, found({ newPhone: OLD })],
  ['my current number is 13800138000', none, found({ oldPhone: OLD })],
  ['预留手机号13800138000', none, found({ oldPhone: OLD })],
  ['把预留手机号改成18612345678', none, found({ newPhone: NEW })],
  ['please update my number to 186 1234 5678', none, found({ newPhone: NEW })],
  ['我换了新号码，18612345678', none, found({ newPhone: NEW })], // the sentence says it is new
  ['新的是13900139000', { expecting: 'oldPhone' }, found({ newPhone: OTHER })], // words beat the hint
];

const hints: Row[] = [
  ['13800138000', none, found()], // unknown role: left out
  ['我的手机号13800138000', none, found()],
  ['13800138000', { expecting: 'oldPhone' }, found({ oldPhone: OLD })],
  ['13800138000', { expecting: 'newPhone' }, found({ newPhone: OLD })],
  ['13800138000', { expecting: 'otp', otpTarget: 'new' }, found({ newPhone: OLD })],
  ['13800138000', { expecting: 'otp', otpTarget: 'old' }, found()],
  ['13800138000', { expecting: 'cardNumber' }, found()],
  // 18 digits, a valid ID and a valid card: the label, else the hint, else ID
  [ID_OR_CARD, none, found(resident(ID_OR_CARD))],
  [ID_OR_CARD, { expecting: 'idNumber' }, found(resident(ID_OR_CARD))],
  [ID_OR_CARD, { expecting: 'cardNumber' }, found({ card: ID_OR_CARD })],
  [`卡号${ID_OR_CARD}`, none, found({ card: ID_OR_CARD })],
  [`身份证${ID_OR_CARD}`, { expecting: 'cardNumber' }, found(resident(ID_OR_CARD))],
  ['passport e12345678', none, found({ idType: 'PASSPORT', idNumber: 'E12345678' })],
  ['e12345678', none, found()], // lower case, unlabelled: not taken for a passport
  ['e12345678', { expecting: 'idNumber' }, found({ idType: 'PASSPORT', idNumber: 'E12345678' })],
];

const writing: Row[] = [
  ['１３８００１３８０００换成１８６１２３４５６７８', none, found({ oldPhone: OLD, newPhone: NEW })],
  ['８６１３８００１３８０００', { expecting: 'newPhone' }, found({ newPhone: OLD })],
  ['卡号：６２２２　０２１２　３４５６　７８９０　１２８', none, found({ card: CARD })],
  ['身份证１１０１０５１９４９１２３１００２Ｘ', none, found(resident(ID))],
  ['110105 19491231 002x', none, found(resident(ID))],
  ['+86 138 0013 8000', { expecting: 'oldPhone' }, found({ oldPhone: OLD })],
  ['0086 13800138000', { expecting: 'oldPhone' }, found({ oldPhone: OLD })],
  ['+86 138-0013-8000', { expecting: 'oldPhone' }, found({ oldPhone: OLD })],
  ['138.0013.8000', { expecting: 'oldPhone' }, found({ oldPhone: OLD })],
  ['+44 7911 123456', { expecting: 'newPhone' }, found({ newPhone: '+447911123456' })],
  ['6222-0212-3456-7890-128', none, found({ card: CARD })],
  // one run, two numbers: each read once, the card not stretched over the phone
  ['6225 8812 3456 7898 138 0013 8000', { expecting: 'oldPhone' }, found({ card: CARD2, oldPhone: OLD })],
  ['6222021234567890128 13800138000', { expecting: 'oldPhone' }, found({ card: CARD, oldPhone: OLD })],
  // a phone inside a longer run of digits is not a phone
  ['62220213800138000128', { expecting: 'oldPhone' }, found()],
  ['<p>卡号 <b>6222021234567890128</b></p> 😀 新号码📱18612345678', none, found({ card: CARD, newPhone: NEW })],
  ['Hi! 👋 My card is 6222021234567890128 🙂 and the new number is 186 1234 5678 🎉', none, found({ card: CARD, newPhone: NEW })],
  ['<div>新号码<span>18612345678</span></div>&nbsp;', none, found({ newPhone: NEW })],
];

const codes: Row[] = [
  ['123456', none, found()],
  ['123456', { expecting: 'otp' }, found({ code: '123456' })],
  ['１２３ ４５６', { expecting: 'otp' }, found({ code: '123456' })],
  ['验证码是123456', none, found({ code: '123456' })],
  ['my code is 123 456', none, found({ code: '123456' })],
  ['123456 不对，是654321', { expecting: 'otp' }, found({ code: '654321' })],
  ['123456 654321', { expecting: 'otp' }, found()], // two codes: ambiguous
  ['密码123456', { expecting: 'otp' }, found()], // a PIN, never a code
  ['E123456', { expecting: 'otp' }, found()],
  [CARD, { expecting: 'otp' }, found({ card: CARD })], // no 6-digit piece of a longer number
  ['13800138000 123456', { expecting: 'otp' }, found()],
];

const corrections: Row[] = [
  ['不对，卡号是6225881234567898', none, found({ card: CARD2, corrected: ['card'] })],
  ['卡号6222021234567890128，不对，应该是6225881234567898', none, found({ card: CARD2, corrected: ['card'] })],
  ['actually the new number is +86 186 1234 5678', none, found({ newPhone: NEW, corrected: ['newPhone'] })],
  ['sorry, wrong card. card 6225881234567898', none, found({ card: CARD2, corrected: ['card'] })],
  ['6225881234567898 sorry', none, found({ card: CARD2, corrected: ['card'] })],
  ['I meant 13900139000', { expecting: 'newPhone' }, found({ newPhone: OTHER, corrected: ['newPhone'] })],
  ['重新输入13900139000', { expecting: 'oldPhone' }, found({ oldPhone: OTHER, corrected: ['oldPhone'] })],
  ['身份证写错了，应该是310104199003070026', none, found({ ...resident(ID2), corrected: ['idNumber'] })],
  [
    '不对，从13800138000换成13900139000',
    none,
    found({ oldPhone: OLD, newPhone: OTHER, corrected: ['oldPhone', 'newPhone'] }),
  ],
  [
    '卡号6222021234567890128，手机号不对，应该是13900139000',
    { expecting: 'newPhone' },
    found({ card: CARD, newPhone: OTHER, corrected: ['newPhone'] }),
  ],
  ['卡号6222021234567890128，新号码18612345678', none, found({ card: CARD, newPhone: NEW })],
  // "手机号" here names what is being changed; the number after it is plainly a card.
  ['我想换手机号 6222021234567890128', none, found({ card: CARD })],
];

const invalid: Row[] = [
  ['4111111111111112', none, found()], // Visa failing Luhn
  ['card 4111111111111112', { expecting: 'cardNumber' }, found()],
  ['4111111111111111', none, found({ card: '4111111111111111' })],
  ['身份证110105194912310021', none, found()], // bad check digit
  ['110105194912310021', { expecting: 'idNumber' }, found()],
  ['身份证13800138000', { expecting: 'oldPhone' }, found()], // labelled: only taken if valid as labelled
  ['1380013800', { expecting: 'newPhone' }, found()],
  ['23800138000', { expecting: 'newPhone' }, found()],
  ['', none, found()],
  ['你好，我想换手机号', none, found()],
  ['<script>alert(1)</script> 🙂🙂🙂', none, found()],
];

describe('extractDetails', () => {
  test.each(everything)('everything at once: %s', (text, hint, expected) => {
    expect(extractDetails(text, hint)).toEqual(expected);
  });
  test.each(phonePatterns)('old and new phones: %s', (text, hint, expected) => {
    expect(extractDetails(text, hint)).toEqual(expected);
  });
  test.each(hints)('hints: %s %j', (text, hint, expected) => {
    expect(extractDetails(text, hint)).toEqual(expected);
  });
  test.each(writing)('how numbers are written: %s', (text, hint, expected) => {
    expect(extractDetails(text, hint)).toEqual(expected);
  });
  test.each(codes)('codes: %s %j', (text, hint, expected) => {
    expect(extractDetails(text, hint)).toEqual(expected);
  });
  test.each(corrections)('corrections: %s', (text, hint, expected) => {
    expect(extractDetails(text, hint)).toEqual(expected);
  });
  test.each(invalid)('invalid numbers and noise are ignored: %s', (text, hint, expected) => {
    expect(extractDetails(text, hint)).toEqual(expected);
  });

  test('works without a hint', () => {
    expect(extractDetails('新号码是18612345678')).toEqual(found({ newPhone: NEW }));
  });

  const huge: Array<[name: string, text: string, expected: Details]> = [
    ['details, then 100 KB of text', `卡号${CARD} ${'啊'.repeat(100_000)}`, found({ card: CARD })],
    ['details past the 2,000 characters looked at', `${'啊'.repeat(100_000)}卡号${CARD}`, found()],
    ['100 KB of spaced digits', '1 '.repeat(50_000), found()],
    ['100 KB of phone numbers', '13800138000 '.repeat(8_500), found()],
    ['100 KB of one digit', '6'.repeat(100_000), found()],
    ['100 KB of tags', '<b'.repeat(50_000), found()],
  ];
  // Speed is measured by the benchmark; here, huge input must simply give the right answer.
  test.each(huge)('handles 100 KB: %s', (_name, text, expected) => {
    expect(extractDetails(text, { expecting: 'otp' })).toEqual(expected);
  });

  test('never throws, whatever it is given', () => {
    expect(extractDetails(undefined as unknown as string)).toEqual(found());
    expect(extractDetails(42 as unknown as string, null as unknown as DetailsHint)).toEqual(found());
  });
});
