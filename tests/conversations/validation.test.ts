import { cd, createHarness, last, type Harness } from '../support/harness';
import { driveTo } from '../support/drive';
import type { Expecting } from '../../domain/expecting';

// Every refusal at every question, the accepted forms, the third miss and the CVV warning are
// conversation scripts: tests/scripts/at-each-question/*.yaml. What needs code stays here: inputs
// too large to write in a script.

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.dispose());

const HUGE = '9'.repeat(100 * 1024);
const HUGE_TEXT = '我'.repeat(100 * 1024);

/** [question, what the customer types, the reason the bot gives] */
const refusals: Array<[Expecting | 'otpNew', string, string]> = [
  ['cardNumber', HUGE, 'length'],
  ['cardNumber', HUGE_TEXT, 'notDigits'],
  ['idNumber', HUGE, 'format'],
  ['oldPhone', HUGE, 'format'],
  ['oldPhoneReachable', HUGE_TEXT, 'yesNo'],
  ['otp', HUGE, 'format'],
  ['newPhone', HUGE, 'format'],
  ['confirm', HUGE_TEXT, 'yesNo'],
];

describe('100 KB answers, at every question', () => {
  test.each(refusals)('at %s, %#: refused (%s) and the question stays open', async (at, input, reason) => {
    const c = h.conversation();
    await driveTo(h, c, at);
    const expecting = at === 'otpNew' ? 'otp' : at;
    const replies = await c.say(input);
    const reply = last(replies);
    expect(cd(reply)).toMatchObject({ key: `invalid.${expecting}.${reason}`, reason, expecting });
    expect(reply?.inputHint).toBe('expectingInput');
    // The reply never echoes a full number back.
    expect(reply?.text).not.toMatch(/\d{11,}/);
  });
});
