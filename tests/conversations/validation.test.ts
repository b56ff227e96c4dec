import { cd, createHarness, last, buttons, type Harness } from '../support/harness';
import { driveTo } from '../support/drive';
import { FRESH, ZHANG } from '../support/demo';
import type { Expecting } from '../../dialogs/types';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.dispose());

const HUGE = '9'.repeat(100 * 1024);
const HUGE_TEXT = '我'.repeat(100 * 1024);
const HTML = '<script>alert("x")</script><b>xyz</b>';
/** Markup around a valid number: the number is read, the markup ignored. */
const HTML_AROUND = '<b>13800138000</b>';
const EMOJI = '😀🎉💳';

/** [question, what the customer types, the reason the bot gives] */
const refusals: Array<[Expecting | 'otpNew', string, string]> = [
  ['cardNumber', '', 'empty'],
  ['cardNumber', '   ', 'empty'],
  ['cardNumber', 'abcd efgh', 'notDigits'],
  ['cardNumber', '１２３４', 'length'],
  ['cardNumber', '4111111111111112', 'checksum'],
  ['cardNumber', HUGE, 'length'],
  ['cardNumber', HUGE_TEXT, 'notDigits'],
  ['cardNumber', HTML, 'notDigits'],
  ['cardNumber', EMOJI, 'notDigits'],
  ['idNumber', '', 'empty'],
  ['idNumber', '12345', 'format'],
  ['idNumber', '110105194912310021', 'checksum'],
  ['idNumber', '11010519490230002X', 'birthDate'],
  ['idNumber', HUGE, 'format'],
  ['idNumber', HTML, 'format'],
  ['idNumber', EMOJI, 'format'],
  ['oldPhone', '', 'empty'],
  ['oldPhone', '12345', 'format'],
  ['oldPhone', '010-12345678', 'notMobile'],
  ['oldPhone', HUGE, 'format'],
  ['oldPhone', HTML, 'format'],
  ['oldPhone', EMOJI, 'format'],
  ['oldPhoneReachable', 'banana', 'yesNo'],
  ['oldPhoneReachable', EMOJI, 'yesNo'],
  ['oldPhoneReachable', HUGE_TEXT, 'yesNo'],
  ['otp', '', 'empty'],
  ['otp', '12345', 'format'],
  ['otp', 'abcdef', 'format'],
  ['otp', '１２３４５６７', 'format'],
  ['otp', HUGE, 'format'],
  ['otp', HTML, 'format'],
  ['otp', EMOJI, 'format'],
  ['newPhone', '', 'empty'],
  ['newPhone', '12345', 'format'],
  ['newPhone', '010-12345678', 'notMobile'],
  ['newPhone', ZHANG.national, 'sameAsOld'],
  ['newPhone', '+86 138 0013 8000', 'sameAsOld'],
  ['newPhone', HUGE, 'format'],
  ['newPhone', HTML, 'format'],
  ['newPhone', EMOJI, 'format'],
  ['otpNew', '12345', 'format'],
  ['otpNew', HTML, 'format'],
  ['confirm', 'banana', 'yesNo'],
  ['confirm', HUGE_TEXT, 'yesNo'],
  // An answer to the earlier "does your number get SMS?" question, pressed late, never confirms.
  ['confirm', '能收到', 'yesNo'],
  ['confirm', '收不到', 'yesNo'],
  ['confirm', 'Yes, I can', 'yesNo'],
];

describe('every validation error, at every question', () => {
  test.each(refusals)('at %s, %j is refused (%s) and the question stays open', async (at, input, reason) => {
    const c = h.conversation();
    await driveTo(h, c, at);
    const expecting = at === 'otpNew' ? 'otp' : at;
    const replies = await c.say(input);
    const reply = last(replies);
    expect(cd(reply)).toMatchObject({ key: `invalid.${expecting}.${reason}`, reason, expecting });
    expect(reply?.inputHint).toBe('expectingInput');
    // The reply never echoes markup or a full number back.
    expect(reply?.text).not.toContain('<script>');
    expect(reply?.text).not.toMatch(/\d{11,}/);
  });

  test.each([
    ['cardNumber', '６２２２ ０２１２ ３４５６ ７８９０ １２８', 'idNumber'],
    ['cardNumber', '6222-0212-3456-7890-128', 'idNumber'],
    ['idNumber', '11010519491231002x', 'oldPhone'],
    ['oldPhone', '+86 138 0013 8000', 'oldPhoneReachable'],
    ['oldPhone', '0086 13800138000', 'oldPhoneReachable'],
    ['oldPhone', HTML_AROUND, 'oldPhoneReachable'],
    ['oldPhone', '１３８００１３８０００', 'oldPhoneReachable'],
  ] as Array<[Expecting, string, Expecting]>)('at %s, the form %j is accepted', async (at, input, next) => {
    const c = h.conversation();
    await driveTo(h, c, at);
    expect(cd(last(await c.say(input))).expecting).toBe(next);
  });

  test('fullwidth and +86 forms of the new number are accepted', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'newPhone');
    expect(cd(last(await c.say('＋８６ １８６ １２３４ ５６７８'))).key).toBe('otp.sent.new');
    expect(h.sms.to(FRESH.phone)).toHaveLength(1);
  });

  test('after a refusal the conversation goes on', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'cardNumber');
    await c.say('not a card');
    expect(cd(last(await c.say(ZHANG.card))).expecting).toBe('idNumber');
  });

  test('the third miss on one question offers a person; a good answer resets the count', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'cardNumber');
    const agent = h.services.render('zh-CN', 'button.agent');
    expect(buttons(last(await c.say('x')))).not.toContain(agent);
    expect(buttons(last(await c.say('y')))).not.toContain(agent);
    expect(buttons(last(await c.say('z')))).toContain(agent);
    await c.say(ZHANG.card);
    expect(buttons(last(await c.say('x')))).not.toContain(agent);
  });

  test('a CVV or PIN is warned about and not kept, at any question', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'otp');
    const replies = await c.say('我的密码是123456');
    expect(replies.map((r) => cd(r).key)).toEqual(['warning.secret', 'ask.otp']);
    expect(cd(last(replies)).expecting).toBe('otp');
    // Not taken as a code: no attempt was counted, the right code still works.
    expect(cd(last(await c.say(h.sms.lastCode(ZHANG.phone)))).expecting).toBe('newPhone');
    const cardStep = h.conversation('other');
    await driveTo(h, cardStep, 'cardNumber');
    expect(cd((await cardStep.say('CVV 123'))[0]).key).toBe('warning.secret');
  });
});
