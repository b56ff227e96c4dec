import { buttons, cd, createHarness, keys, last, type Harness } from '../support/harness';
import { driveTo } from '../support/drive';
import { createCatalog } from '../../content';

/** The wording, rendered with the parameters a reply must carry. */
const catalog = createCatalog({ strict: true });
import { FRESH, LI, WANG, ZHANG, ZHAO } from '../support/demo';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.dispose());

/** A code that is not the one sent. */
const wrong = (code: string) => (code === '000000' ? '111111' : '000000');

describe('one-time codes', () => {
  test('a wrong code says how many tries are left; the right one still works', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'otp');
    const code = h.sms.lastCode(ZHANG.phone);
    const reply = last(await c.say(wrong(code)));
    expect(cd(reply)).toMatchObject({ key: 'otp.wrong', expecting: 'otp', otpTarget: 'old' });
    // The tries left are said: the text is the catalogue's, with 4 as the count.
    expect(reply?.text).toBe(catalog.render('zh-CN', 'otp.wrong', { phone: ZHANG.maskedPhone, attemptsLeft: 4 }));
    expect(cd(last(await c.say(code))).expecting).toBe('newPhone');
  });

  test('an expired code is refused (injected clock) and a resend brings a new one', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'otp');
    const code = h.sms.lastCode(ZHANG.phone);
    h.advance(301_000);
    expect(cd(last(await c.say(code))).key).toBe('otp.expired');
    expect(cd(last(await c.say('重新发送'))).key).toBe('otp.sent.old');
    expect(cd(last(await c.say(h.sms.lastCode(ZHANG.phone)))).expecting).toBe('newPhone');
  });

  test('resend inside the cooldown is refused with the seconds left; after it, a new code is sent', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'otp');
    h.advance(20_000);
    const refused = last(await c.say('重新发送'));
    expect(cd(refused)).toMatchObject({ key: 'otp.cooldown', expecting: 'otp', resendAfterSeconds: 40 });
    expect(h.sms.to(ZHANG.phone)).toHaveLength(1);
    h.advance(40_000);
    expect(cd(last(await c.say('重发'))).key).toBe('otp.sent.old');
    expect(h.sms.to(ZHANG.phone)).toHaveLength(2);
  });

  test('five wrong codes lock the card, and the lock survives a new conversation', async () => {
    const c = h.conversation('first');
    await driveTo(h, c, 'otp');
    const code = h.sms.lastCode(ZHANG.phone);
    for (let i = 0; i < 4; i += 1) expect(cd(last(await c.say(wrong(code)))).key).toBe('otp.wrong');
    const locked = last(await c.say(wrong(code)));
    expect(cd(locked)).toMatchObject({ key: 'otp.locked', outcome: 'locked' });
    expect(buttons(locked)).toContain(h.services.render('zh-CN', 'button.agent'));

    // A new conversation with the same card is still locked, with the time left shown.
    h.advance(5 * 60_000);
    const again = h.conversation('second');
    await again.say('换绑手机号');
    await again.say(ZHANG.card);
    await again.say(ZHANG.id);
    const reply = last(await again.say(ZHANG.national));
    expect(cd(reply)).toMatchObject({ key: 'identity.locked', outcome: 'locked' });
    expect(reply?.text).toBe(catalog.render('zh-CN', 'identity.locked', { minutes: 25 }));

    // After the lock time, the card can be used again.
    h.advance(26 * 60_000);
    const later = h.conversation('third');
    await driveTo(h, later, 'otp');
  });

  test('a code for the new number is bound to it: another new number voids it', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'otpNew');
    const codeForFresh = h.sms.lastCode(FRESH.phone);
    // The customer changes their mind about the new number.
    const replies = await c.say('18699998888');
    expect(cd(last(replies))).toMatchObject({ key: 'otp.sent.new', otpTarget: 'new' });
    const reply = last(await c.say(codeForFresh));
    expect(cd(reply).key).toBe('otp.wrong');
    expect(cd(last(await c.say(h.sms.lastCode('+8618699998888')))).expecting).toBe('confirm');
  });

  test('"收不到" at the code prompt is a question: answered, and the code is asked for again', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'otp');
    const replies = await c.say('收不到');
    expect(cd(replies[0])).toMatchObject({ key: 'faq.otpNotReceived', intent: 'faq', faqId: 'otpNotReceived' });
    expect(cd(last(replies))).toMatchObject({ expecting: 'otp', otpTarget: 'old' });
    expect(cd(last(await c.say(h.sms.lastCode(ZHANG.phone)))).expecting).toBe('newPhone');
  });

  test('a phone number typed at the current number\'s code prompt never skips that code', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'otp');
    const reply = last(await c.say(FRESH.national));
    expect(cd(reply)).toMatchObject({ key: 'invalid.otp.format', expecting: 'otp', otpTarget: 'old' });
    expect(h.sms.to(FRESH.phone)).toHaveLength(0);
  });

  test('an SMS gateway failure says so, counts nothing, and a resend works at once', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'oldPhoneReachable');
    h.sms.failNext = 1;
    const reply = last(await c.say('能收到'));
    expect(cd(reply)).toMatchObject({ key: 'otp.smsFailed', expecting: 'otp' });
    expect(h.sms.to(ZHANG.phone)).toHaveLength(0);
    expect(cd(last(await c.say('重新发送'))).key).toBe('otp.sent.old');
  });

  test('codes never appear in replies or in the stored audit', async () => {
    const c = h.conversation();
    const all = [...(await driveTo(h, c, 'confirm'))];
    const codes = h.sms.sent.map((m) => /(\d{6})/.exec(m.text)?.[1]).filter(Boolean) as string[];
    all.push(...(await c.say('确认')));
    const audit = JSON.stringify(await h.services.audit.list());
    for (const code of codes) {
      for (const r of all) expect(r.text).not.toContain(code);
      expect(audit).not.toContain(code);
    }
    expect(audit).not.toContain(ZHANG.card);
    expect(audit).not.toContain(ZHANG.national);
  });
});

describe('identity and account checks', () => {
  /** Drives the three details and returns the first reply to the last one (the verdict). */
  async function check(card: string, id: string, phone: string, conv = 'c') {
    const c = h.conversation(conv);
    await c.say('换手机号');
    await c.say(card);
    await c.say(id);
    return (await c.say(phone))[0];
  }

  test('an unknown card, a wrong ID and a wrong current number get identical replies', async () => {
    const unknownCard = await check('6222021234567890003', ZHANG.id, ZHANG.national, 'a');
    const wrongId = await check(ZHANG.card, LI.id, ZHANG.national, 'b');
    const wrongPhone = await check(ZHANG.card, ZHANG.id, LI.national, 'c');
    expect(cd(unknownCard)).toMatchObject({ key: 'identity.failed', intent: 'inform' });
    // The wording differs only in attempts left for the known card; compare key and data.
    expect(cd(wrongId)).toEqual(cd(unknownCard));
    expect(wrongId?.text).toBe(unknownCard?.text);
    expect(cd(wrongPhone)).toEqual(cd(unknownCard));
    expect(h.sms.sent).toHaveLength(0);
  });

  test('three failed checks lock the card for a while, with a way to a person', async () => {
    await check(ZHANG.card, LI.id, ZHANG.national, 'a');
    await check(ZHANG.card, LI.id, ZHANG.national, 'b');
    const third = await check(ZHANG.card, LI.id, ZHANG.national, 'c');
    expect(cd(third)).toMatchObject({ key: 'identity.locked', outcome: 'locked' });
    // Even the right details are refused while locked.
    const right = await check(ZHANG.card, ZHANG.id, ZHANG.national, 'd');
    expect(cd(right).key).toBe('identity.locked');
    const handed = last(await h.conversation('d').say('转人工'));
    expect(cd(handed).outcome).toBe('handedOff');
    expect((await h.services.queue.waiting())[0]?.reason).toBe('identityLocked');
  });

  test('a frozen customer is told what "account abnormal" means; no code is sent', async () => {
    const reply = await check(WANG.card, WANG.id, WANG.national);
    expect(cd(reply)).toMatchObject({ key: 'account.abnormal', outcome: 'rejected', reason: 'customerFrozen' });
    expect(h.sms.sent).toHaveLength(0);
  });

  test('a frozen card is abnormal too', async () => {
    const reply = await check(ZHAO.card, ZHAO.id, ZHAO.national);
    expect(cd(reply)).toMatchObject({ key: 'account.abnormal', reason: 'cardFrozen' });
    expect(h.sms.sent).toHaveLength(0);
  });

  test('a current number that no longer receives SMS: re-verification options and a person', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'oldPhoneReachable');
    const reply = last(await c.say('收不到'));
    expect(cd(reply)).toMatchObject({ key: 'oldPhone.unreachable', outcome: 'rejected' });
    expect(h.sms.sent).toHaveLength(0);
    await c.say('人工客服');
    expect((await h.services.queue.waiting())[0]?.reason).toBe('oldPhoneUnreachable');
  });

  test('a new number bound to another customer gets a generic refusal and a person', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'newPhone');
    const reply = last(await c.say(LI.national));
    expect(cd(reply)).toMatchObject({ key: 'newPhone.rejected', outcome: 'rejected' });
    expect(reply?.text).not.toContain('139');
    expect(h.sms.to(LI.phone)).toHaveLength(0);
    expect(keys(await c.say('转人工'))).toContain('handoff.queued');
    expect((await h.services.queue.waiting())[0]?.reason).toBe('numberTaken');
  });
});
