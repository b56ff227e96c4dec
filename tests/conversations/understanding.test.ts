import { buttons, cd, createHarness, keys, last, type Harness } from '../support/harness';
import { driveTo, EVERY_STEP } from '../support/drive';
import { createCatalog } from '../../content';
import { ALICE, FRESH, ZHANG } from '../support/demo';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.dispose());

describe('digressions: a question at any step is answered, then the flow resumes where it was', () => {
  test.each(EVERY_STEP)('at %s', async (at) => {
    const c = h.conversation();
    const before = last(await driveTo(h, c, at));
    const sentBefore = h.sms.sent.length;
    const replies = await c.say('更换手机号要收费吗？');
    expect(cd(replies[0])).toMatchObject({ key: 'faq.fees', intent: 'faq', faqId: 'fees' });
    // The same question again, with the same metadata; no effect ran again (no second code).
    expect(cd(last(replies)).expecting).toBe(cd(before).expecting);
    expect(cd(last(replies)).otpTarget).toBe(cd(before).otpTarget);
    expect(h.sms.sent.length).toBe(sentBefore);
  });

  test('the flow then carries on from the same step', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'otp');
    await c.say('验证码多久有效？');
    expect(cd(last(await c.say(h.sms.lastCode(ZHANG.phone)))).expecting).toBe('newPhone');
  });

  test('the code rules answer uses the configured values', async () => {
    const custom = await createHarness({ env: { OTP_TTL_SECONDS: '600', OTP_MAX_ATTEMPTS: '4' } });
    try {
      const reply = (await custom.conversation().say('验证码有效期多久，能输错几次？'))[0];
      expect(cd(reply).faqId).toBe('otpLimits');
      // The configured values, not the defaults: 600 s is 10 minutes, 4 tries ("helpful?" follows).
      expect(reply?.text).toContain(
        createCatalog({ strict: true }).render('zh-CN', 'faq.otpLimits', {
          ttlMinutes: 10,
          resendSeconds: 60,
          maxAttempts: 4,
          lockMinutes: 30,
          maxPerHour: 5,
          maxPerDay: 10,
        }),
      );
    } finally {
      custom.dispose();
    }
  });
});

describe('one sentence that holds everything fills every slot', () => {
  test('in Chinese: only the codes are still asked for', async () => {
    const c = h.conversation();
    const replies = await c.say(
      `我要把卡${ZHANG.card}的预留手机从${ZHANG.national}换成${FRESH.national}，身份证${ZHANG.id}`,
    );
    expect(keys(replies)).toEqual(['flow.intro', 'details.noted', 'ask.oldPhoneReachable']);
    expect(replies[1]?.text).toContain(ZHANG.maskedCard);
    expect(cd(replies[0]).intent).toBe('changePhone');
    await c.say('能收到');
    // The new number was given up front: after the current number's code, straight to the new code.
    const afterOld = await c.say(h.sms.lastCode(ZHANG.phone));
    expect(cd(last(afterOld))).toMatchObject({ key: 'otp.sent.new', otpTarget: 'new' });
    expect(cd(last(await c.say(h.sms.lastCode(FRESH.phone)))).expecting).toBe('confirm');
    expect(cd(last(await c.say('确认'))).outcome).toBe('phoneChanged');
    expect(await h.services.bank.boundPhone(ZHANG.card)).toBe(FRESH.phone);
  });

  test('in English', async () => {
    const c = h.conversation('en', 'en-US');
    const replies = await c.say(
      `Hi, I need to update the phone on card ${ALICE.card}, passport ${ALICE.id}, from +86 137 0013 7000 to +86 186 1234 5678`,
    );
    expect(cd(last(replies)).expecting).toBe('oldPhoneReachable');
    await c.say('yes');
    await c.say(h.sms.lastCode(ALICE.phone));
    expect(cd(last(await c.say(h.sms.lastCode(FRESH.phone)))).expecting).toBe('confirm');
  });

  test('part of the details: the bot asks only for what is missing', async () => {
    const c = h.conversation();
    const replies = await c.say(`想换绑定手机，卡号 ${ZHANG.card}，身份证 ${ZHANG.id}`);
    expect(cd(last(replies)).expecting).toBe('oldPhone');
  });
});

describe('corrections replace a detail and void codes sent for the old value', () => {
  test('a card corrected while the ID is asked for', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'idNumber');
    const replies = await c.say(`不对，卡号是 ${ALICE.card}`);
    expect(keys(replies)).toEqual(['details.corrected', 'ask.idNumber']);
    await c.say(ALICE.id);
    expect(cd(last(await c.say(ALICE.national))).expecting).toBe('oldPhoneReachable');
  });

  test('the new number corrected while its code is awaited: a new code, the old one void', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'otpNew');
    const firstCode = h.sms.lastCode(FRESH.phone);
    const replies = await c.say('不好意思，新号码应该是 186 9999 8888');
    expect(keys(replies)).toContain('details.corrected');
    expect(cd(last(replies))).toMatchObject({ key: 'otp.sent.new', otpTarget: 'new' });
    const stale = last(await c.say(firstCode));
    expect(cd(stale).key).toBe('otp.wrong');
    expect(cd(last(await c.say(h.sms.lastCode('+8618699998888')))).expecting).toBe('confirm');
  });

  test('"actually the new number is …" at the confirm step sends a code to that number', async () => {
    const c = h.conversation('en', 'en-US');
    await driveTo(h, c, 'confirm');
    const replies = await c.say('actually the new number is +86 186 9999 8888');
    expect(cd(last(replies))).toMatchObject({ key: 'otp.sent.new', otpTarget: 'new' });
    expect(h.sms.to('+8618699998888')).toHaveLength(1);
  });

  test('the current number corrected after the identity check: checked again, its code void', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'otp');
    const code = h.sms.lastCode(ZHANG.phone);
    const replies = await c.say('不对，原手机号是 13900139000');
    expect(keys(replies)).toContain('details.corrected');
    // Card + ID + that number do not match: the one generic refusal, and the details start again.
    expect(keys(replies)).toContain('identity.failed');
    expect(cd(last(replies)).expecting).toBe('cardNumber');
    await c.say(ZHANG.card);
    await c.say(ZHANG.id);
    await c.say(ZHANG.national);
    h.advance(61_000);
    await c.say('能收到');
    const reply = last(await c.say(code));
    expect(cd(reply).key).toBe('otp.wrong');
  });
});

describe('asking for help', () => {
  test('a confident answer asks whether it helped; the answer is recorded', async () => {
    const c = h.conversation();
    const answer = last(await c.say('验证码一直收不到怎么办'));
    expect(cd(answer)).toMatchObject({ intent: 'faq', faqId: 'otpNotReceived' });
    const helpful = h.services.render('zh-CN', 'button.helpful');
    expect(buttons(answer)).toContain(helpful);
    const thanks = last(await c.say(helpful));
    expect(cd(thanks)).toMatchObject({ key: 'feedback.thanks', faqId: 'otpNotReceived' });
    expect(await h.services.feedback.summary()).toEqual([{ faqId: 'otpNotReceived', helpful: 1, notHelpful: 0 }]);
  });

  test('"not helpful" is recorded and offers a person', async () => {
    const c = h.conversation('en', 'en-US');
    await c.say('is there a fee for this?');
    const sorry = last(await c.say(h.services.render('en-US', 'button.notHelpful')));
    expect(cd(sorry).key).toBe('feedback.sorry');
    expect(buttons(sorry)).toContain(h.services.render('en-US', 'button.agent'));
    expect(await h.services.feedback.summary()).toEqual([{ faqId: 'fees', helpful: 0, notHelpful: 1 }]);
  });

  test('an unclear question offers the likeliest topics as buttons; choosing one answers it', async () => {
    const unclear = '改完了怎么还是老样子';
    const u = await createHarness({
      // The model's reading of one sentence is pinned, so the test does not hang on its weights.
      wrapRecognizer: (real) => ({
        recognize: (text, context) =>
          text === unclear
            ? { intent: 'faq', faqId: 'updateDelay', candidates: ['updateDelay', 'howLong', 'noticeSms'] }
            : real.recognize(text, context),
      }),
    });
    try {
      const c = u.conversation();
      const offer = last(await c.say(unclear));
      expect(cd(offer)).toMatchObject({ key: 'faq.which', intent: 'faq', faqId: 'which' });
      const titles = ['updateDelay', 'howLong', 'noticeSms'].map((id) => u.services.render('zh-CN', `faqTitle.${id}`));
      expect(buttons(offer)).toEqual(titles);
      const answer = last(await c.say(titles[1] as string));
      expect(cd(answer)).toMatchObject({ key: 'faq.howLong', faqId: 'howLong', intent: 'faq' });
    } finally {
      u.dispose();
    }
  });

  test('mid-flow, an unclear question offers topics and the flow stays where it was', async () => {
    const u = await createHarness({
      wrapRecognizer: (real) => ({
        recognize: (text, context) =>
          text === '这个咋整'
            ? { intent: 'faq', faqId: 'otpWrong', candidates: ['otpWrong', 'otpNotReceived'] }
            : real.recognize(text, context),
      }),
    });
    try {
      const c = u.conversation();
      await driveTo(u, c, 'otp');
      expect(cd(last(await c.say('这个咋整'))).key).toBe('faq.which');
      const answer = await c.say(u.services.render('zh-CN', 'faqTitle.otpNotReceived'));
      expect(cd(answer[0]).faqId).toBe('otpNotReceived');
      expect(cd(last(answer))).toMatchObject({ expecting: 'otp', otpTarget: 'old' });
      expect(cd(last(await c.say(u.sms.lastCode(ZHANG.phone)))).expecting).toBe('newPhone');
    } finally {
      u.dispose();
    }
  });

  test('out of scope twice offers a person', async () => {
    const c = h.conversation();
    await c.join();
    expect(cd(last(await c.say('帮我查一下信用卡积分')))).toMatchObject({ key: 'fallback.notUnderstood', intent: 'none' });
    const second = last(await c.say('你们理财产品收益怎么样'));
    expect(cd(second)).toMatchObject({ key: 'fallback.offerAgent', intent: 'none' });
    expect(buttons(second)).toContain(h.services.render('zh-CN', 'button.agent'));
  });

  test('a complaint goes to a person, with reason complaint', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'idNumber');
    const replies = await c.say('你们这个服务太差了，我要投诉');
    expect(keys(replies)).toEqual(['complaint.ack', 'handoff.queued']);
    expect(cd(last(replies))).toMatchObject({ outcome: 'handedOff', intent: 'handoff' });
    expect((await h.services.queue.waiting())[0]?.reason).toBe('complaint');
  });

  test('"人工呐" reaches a person; colloquial requests start the change', async () => {
    const c = h.conversation();
    expect(cd(last(await c.say('人工呐'))).outcome).toBe('handedOff');
    const d = h.conversation('d2');
    expect(cd(last(await d.say('预留手机号码要换一下')))).toMatchObject({ intent: 'changePhone', expecting: 'cardNumber' });
    const e = h.conversation('e2', 'en-US');
    expect(cd(last(await e.say('I got a new SIM, need to update my number'))).expecting).toBe('cardNumber');
  });
});
