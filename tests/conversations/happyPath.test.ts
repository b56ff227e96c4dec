import { buttons, cd, createHarness, keys, last, type Harness } from '../support/harness';
import { ALICE, FRESH, ZHANG } from '../support/demo';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.dispose());

describe('the whole change, in Chinese', () => {
  test('a demo customer changes their bound number; both numbers get a notice', async () => {
    const c = h.conversation('zh-happy', 'zh-CN');

    const welcome = await c.join();
    expect(keys(welcome)).toEqual(['welcome.greeting']);
    expect(buttons(last(welcome))).toHaveLength(3);

    // [customer says, key of the last reply, what the bot then expects]
    const script: Array<[string | (() => string), string, string | undefined]> = [
      ['我想更换银行卡绑定的手机号', 'ask.cardNumber', 'cardNumber'],
      [ZHANG.card, 'ask.idNumber', 'idNumber'],
      [ZHANG.id, 'ask.oldPhone', 'oldPhone'],
      [ZHANG.national, 'ask.oldPhoneReachable', 'oldPhoneReachable'],
      ['能收到', 'otp.sent.old', 'otp'],
      [() => h.sms.lastCode(ZHANG.phone), 'ask.newPhone', 'newPhone'],
      [FRESH.national, 'otp.sent.new', 'otp'],
      [() => h.sms.lastCode(FRESH.phone), 'ask.confirm', 'confirm'],
      ['确认', 'change.done', undefined],
    ];
    for (const [say, key, expecting] of script) {
      const replies = await c.say(typeof say === 'function' ? say() : say);
      expect(cd(last(replies)).key).toBe(key);
      expect(cd(last(replies)).expecting).toBe(expecting);
      if (expecting) expect(last(replies)?.inputHint).toBe('expectingInput');
      for (const r of replies) expect(cd(r).intent).toBeDefined();
    }
    const done = last(await c.say('谢谢'));
    expect(cd(done).intent).toBe('greeting');

    expect(await h.services.bank.boundPhone(ZHANG.card)).toBe(FRESH.phone);
    // A notice to each number, after the codes: no code in either.
    const oldMsgs = h.sms.to(ZHANG.phone);
    const newMsgs = h.sms.to(FRESH.phone);
    expect(oldMsgs).toHaveLength(2);
    expect(newMsgs).toHaveLength(2);
    for (const notice of [oldMsgs[1], newMsgs[1]]) {
      expect(notice?.text).not.toMatch(/\d{6}/);
      expect(notice?.text).toContain(ZHANG.maskedCard);
    }
  });

  test('the summary and the success reply show masked numbers only, with outcome phoneChanged', async () => {
    const c = h.conversation('zh-mask');
    await c.say('更换绑定手机号');
    await c.say(ZHANG.card);
    await c.say(ZHANG.id);
    await c.say(ZHANG.national);
    await c.say('是');
    await c.say(h.sms.lastCode(ZHANG.phone));
    await c.say(FRESH.national);
    const confirm = last(await c.say(h.sms.lastCode(FRESH.phone)));
    expect(confirm?.text).toContain(ZHANG.maskedCard);
    expect(confirm?.text).toContain(ZHANG.maskedPhone);
    expect(confirm?.text).toContain(FRESH.masked);
    expect(cd(confirm).expecting).toBe('confirm');
    const replies = await c.say('确认更换');
    const done = last(replies);
    expect(cd(done)).toMatchObject({ key: 'change.done', outcome: 'phoneChanged', intent: 'inform' });
    for (const r of replies) {
      expect(r.text).not.toContain(ZHANG.card);
      expect(r.text).not.toContain(ZHANG.national);
      expect(r.text).not.toContain(FRESH.national);
    }
  });
});

describe('the whole change, in English', () => {
  test('a passport holder changes their number in English', async () => {
    const c = h.conversation('en-happy', 'en-US');
    const welcome = await c.join();
    expect(welcome[0]?.locale).toBe('en-US');
    const steps: Array<[string | (() => string), string]> = [
      ['I want to change my phone number', 'ask.cardNumber'],
      [ALICE.card, 'ask.idNumber'],
      [ALICE.id, 'ask.oldPhone'],
      ['+86 137 0013 7000', 'ask.oldPhoneReachable'],
      ['yes', 'otp.sent.old'],
      [() => h.sms.lastCode(ALICE.phone), 'ask.newPhone'],
      ['+86 186-1234-5678', 'otp.sent.new'],
      [() => h.sms.lastCode(FRESH.phone), 'ask.confirm'],
      ['confirm', 'change.done'],
    ];
    for (const [say, key] of steps) {
      const replies = await c.say(typeof say === 'function' ? say() : say);
      expect(cd(last(replies)).key).toBe(key);
      expect(last(replies)?.locale).toBe('en-US');
    }
    expect(await h.services.bank.boundPhone(ALICE.card)).toBe(FRESH.phone);
    // The SMS went out in English too.
    expect(h.sms.to(FRESH.phone)[0]?.text).toBe(
      h.services.render('en-US', 'sms.code.new', { code: /(\d{6})/.exec(h.sms.to(FRESH.phone)[0]?.text ?? '')?.[1] ?? '', minutes: 5 }),
    );
  });
});
