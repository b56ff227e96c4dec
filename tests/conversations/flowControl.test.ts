import { cd, createHarness, keys, last, type Harness } from '../support/harness';
import { driveTo, EVERY_STEP } from '../support/drive';
import { ZHANG } from '../support/demo';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.dispose());

describe('cancel, help and start over at every question', () => {
  test.each(EVERY_STEP)('cancel at %s ends the flow with outcome cancelled and changes nothing', async (at) => {
    const c = h.conversation();
    await driveTo(h, c, at);
    const reply = last(await c.say('取消'));
    expect(cd(reply)).toMatchObject({ key: 'cancel.done', outcome: 'cancelled', intent: 'cancel' });
    expect(cd(reply).expecting).toBeUndefined();
    expect(await h.services.bank.boundPhone(ZHANG.card)).toBe(ZHANG.phone);
    // The bot is back at the start: a new request starts a new flow.
    expect(cd(last(await c.say('换手机号'))).expecting).toBe('cardNumber');
  });

  test.each(EVERY_STEP)('help at %s explains and asks the same question again', async (at) => {
    const c = h.conversation();
    await driveTo(h, c, at);
    const expecting = at === 'otpNew' ? 'otp' : at;
    const replies = await c.say('帮助');
    expect(cd(replies[0])).toMatchObject({ key: `help.${expecting}`, intent: 'faq', faqId: 'help' });
    expect(cd(last(replies)).expecting).toBe(expecting);
  });

  test.each(EVERY_STEP)('start over at %s asks for the card again and voids earlier codes', async (at) => {
    const c = h.conversation();
    await driveTo(h, c, at);
    const replies = await c.say('重新开始');
    expect(keys(replies)).toContain('flow.restarted');
    expect(cd(last(replies)).expecting).toBe('cardNumber');
  });

  test('English cancel and help work too', async () => {
    const c = h.conversation('en', 'en-US');
    await driveTo(h, c, 'idNumber');
    expect(cd((await c.say('help'))[0]).key).toBe('help.idNumber');
    expect(cd(last(await c.say('cancel'))).outcome).toBe('cancelled');
  });

  test('a code sent before starting over no longer works', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'otp');
    const oldCode = h.sms.lastCode(ZHANG.phone);
    await c.say('重新开始');
    await c.say(ZHANG.card);
    await c.say(ZHANG.id);
    await c.say(ZHANG.national);
    h.advance(61_000);
    await c.say('能收到');
    const fresh = h.sms.lastCode(ZHANG.phone);
    expect(fresh).not.toBe(oldCode);
    expect(cd(last(await c.say(oldCode))).key).toBe('otp.wrong');
    expect(cd(last(await c.say(fresh))).expecting).toBe('newPhone');
  });

  test('cancel outside a flow says there is nothing to cancel', async () => {
    const c = h.conversation();
    await c.join();
    expect(cd(last(await c.say('取消'))).key).toBe('cancel.nothingToCancel');
  });

  test('something the bot does not do gets a polite menu; the second miss in a row offers a person', async () => {
    const c = h.conversation();
    await c.join();
    const first = last(await c.say('今天天气怎么样'));
    expect(cd(first)).toMatchObject({ key: 'fallback.notUnderstood', intent: 'none' });
    const second = last(await c.say('给我讲个笑话'));
    expect(cd(second)).toMatchObject({ key: 'fallback.offerAgent', intent: 'none' });
  });

  test('asking for a person mid-flow hands off with the context masked', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'oldPhoneReachable');
    const reply = last(await c.say('转人工'));
    expect(cd(reply)).toMatchObject({ key: 'handoff.queued', outcome: 'handedOff', intent: 'handoff' });
    const [request] = await h.services.queue.waiting();
    expect(request?.reason).toBe('customerRequest');
    expect(request?.context.card).toBe(ZHANG.maskedCard);
    expect(request?.context.passed.identity).toBe(true);
    expect(JSON.stringify(request)).not.toContain(ZHANG.card);
    expect(JSON.stringify(request)).not.toContain(ZHANG.national);
    expect(JSON.stringify(request)).not.toContain(ZHANG.id);
  });
});
