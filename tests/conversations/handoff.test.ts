import type { Activity } from 'botbuilder';
import { buttons, cd, createHarness, keys, last, type Conversation, type Harness } from '../support/harness';
import { driveTo } from '../support/drive';
import { FRESH, LI, WANG, ZHANG } from '../support/demo';

/**
 * People: the queue, an agent, going back to the bot, after hours, and a channel's own agent hub.
 * The agent side acts on the queue directly (as the console's API does); what it does reaches the
 * customer as proactive messages (`received()`).
 */

let h: Harness;
afterEach(() => h.dispose());

const handoffOf = (a: Partial<Activity> | undefined) => cd(a).handoff as Record<string, unknown> | undefined;
/** The open ticket of a conversation (the harness's channel is `test`). */
const ticketOf = (c: Conversation) => h.services.queue.openFor(`test/${c.id}`);

async function waiting(c: Conversation, text = '转人工'): Promise<Partial<Activity>> {
  await c.join();
  const reply = last(await c.say(text));
  expect(cd(reply)).toMatchObject({ key: 'handoff.queued', outcome: 'handedOff' });
  return reply as Partial<Activity>;
}

describe('triggers: each hands over with its reason code', () => {
  beforeEach(async () => {
    h = await createHarness();
  });

  test('an explicit request anywhere: idle (zh) and mid-flow (en)', async () => {
    const zh = h.conversation('zh');
    await waiting(zh, '人工客服');
    expect((await ticketOf(zh))?.reason).toBe('customerRequest');

    const en = h.conversation('en', 'en-US');
    await driveTo(h, en, 'oldPhone');
    const reply = last(await en.say('talk to a person'));
    expect(cd(reply)).toMatchObject({ key: 'handoff.queued', outcome: 'handedOff', intent: 'handoff' });
    const ticket = (await ticketOf(en));
    expect(ticket).toMatchObject({ reason: 'customerRequest', locale: 'en-US' });
    expect(ticket?.context).toMatchObject({ card: ZHANG.maskedCard, stoppedAt: 'oldPhone' });
  });

  test('three misses on one question', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'cardNumber');
    await c.say('abc');
    await c.say('abc');
    const third = last(await c.say('abc'));
    expect(buttons(third)).toContain('转人工客服');
    await c.say('转人工客服');
    expect((await ticketOf(c))?.reason).toBe('repeatedMisses');
  });

  test('out of scope twice', async () => {
    const c = h.conversation();
    await c.join();
    await c.say('今天天气怎么样');
    expect(cd(last(await c.say('给我讲个笑话'))).key).toBe('fallback.offerAgent');
    await c.say('转人工客服');
    expect((await ticketOf(c))?.reason).toBe('outOfScope');
  });

  test('an abnormal account', async () => {
    const c = h.conversation();
    await c.join();
    await c.say('换手机号');
    await c.say(WANG.card);
    await c.say(WANG.id);
    expect(cd(last(await c.say(WANG.national))).key).toBe('account.abnormal');
    await c.say('转人工');
    expect((await ticketOf(c))?.reason).toBe('accountAbnormal');
  });

  test('code entry locked', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'otp');
    const real = h.sms.lastCode(ZHANG.phone);
    const wrong = real === '111111' ? '222222' : '111111';
    let reply: Partial<Activity> | undefined;
    for (let i = 0; i < 5; i++) reply = last(await c.say(wrong));
    expect(cd(reply)).toMatchObject({ key: 'otp.locked', outcome: 'locked' });
    await c.say('转人工');
    expect((await ticketOf(c))?.reason).toBe('otpLocked');
  });
});

describe('the queue, an agent, and back to the bot', () => {
  beforeEach(async () => {
    h = await createHarness();
  });

  test('customers learn their place and wait, and hear when it improves', async () => {
    const first = h.conversation('first');
    const second = h.conversation('second');
    const a = await waiting(first);
    const b = await waiting(second);
    expect(handoffOf(a)).toMatchObject({ status: 'waiting', position: 1, waitMinutes: 5 });
    expect(handoffOf(b)).toMatchObject({ status: 'waiting', position: 2, waitMinutes: 10 });
    expect(handoffOf(b)?.ticket).toBe((await ticketOf(second))?.ticket);
    expect(buttons(b)).toEqual(['不等了，返回机器人']);
    // Joining the queue tells nobody anything new.
    expect(await first.received()).toEqual([]);

    const claimed = await h.services.queue.claim((await ticketOf(first))?.ticket ?? '', 'a01');
    expect(claimed.ok).toBe(true);
    const joined = await first.received();
    expect(keys(joined)).toEqual(['handoff.connected']);
    expect(handoffOf(joined[0])).toMatchObject({ status: 'withAgent', agentName: '王丽' });
    expect(joined[0]?.text).toContain('王丽');
    const moved = await second.received();
    expect(keys(moved)).toEqual(['handoff.position']);
    expect(handoffOf(moved[0])).toMatchObject({ status: 'waiting', position: 1, waitMinutes: 5 });
  });

  test('a message while waiting is kept for the agent; the customer hears their place again', async () => {
    const c = h.conversation();
    await waiting(c);
    const reply = last(await c.say(`我的卡号是 ${ZHANG.card}，一直收不到验证码`));
    expect(cd(reply)).toMatchObject({ key: 'handoff.stillWaiting', handoff: { status: 'waiting', position: 1 } });
    const lines = (await ticketOf(c))?.transcript ?? [];
    expect(lines.at(-1)).toMatchObject({ from: 'customer', text: `我的卡号是 ${ZHANG.maskedCard}，一直收不到验证码` });
  });

  test('the ticket carries the masked context and the conversation so far', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'oldPhoneReachable');
    await c.say('转人工');
    const ticket = (await ticketOf(c));
    expect(ticket?.context).toEqual({
      card: ZHANG.maskedCard,
      idNumber: '1101**********002X',
      oldPhone: ZHANG.maskedPhone,
      passed: { identity: true, oldCode: false, newCode: false },
      stoppedAt: 'oldPhoneReachable',
    });
    const transcript = ticket?.transcript ?? [];
    expect(transcript.map((l) => l.from)).toEqual(expect.arrayContaining(['customer', 'bot']));
    expect(transcript.some((l) => l.text.includes(ZHANG.maskedCard))).toBe(true);
    // Up to the message that asked for a person, which the turn writes only with its answer.
    expect(transcript.at(-1)).toMatchObject({ from: 'customer', text: '转人工' });
    const all = JSON.stringify(ticket);
    for (const secret of [ZHANG.card, ZHANG.id, ZHANG.national]) expect(all).not.toContain(secret);
  });

  test('relay both ways, hand back to the bot, then a rating', async () => {
    const c = h.conversation();
    await waiting(c);
    const ticket = (await ticketOf(c))?.ticket ?? '';
    await h.services.queue.claim(ticket, 'a02');
    expect(keys(await c.received())).toEqual(['handoff.connected']);

    // Customer → agent: no reply from the bot, the words are on the ticket (masked).
    expect(await c.say(`新号码 ${FRESH.national} 可以吗？`)).toEqual([]);
    expect((await h.services.queue.get(ticket))?.transcript.at(-1)).toMatchObject({
      from: 'customer',
      text: `新号码 ${FRESH.masked} 可以吗？`,
    });
    // Even words the bot would take as a command go to the agent.
    expect(await c.say('取消')).toEqual([]);
    expect((await h.services.queue.get(ticket))?.transcript.at(-1)?.text).toBe('取消');

    // Agent → customer, with any full number masked on the way.
    await h.services.queue.addLine(ticket, { from: 'agent', text: `您好，请确认卡号 ${ZHANG.card} 是否正确` });
    const said = await c.received();
    expect(keys(said)).toEqual(['handoff.agentMessage']);
    expect(handoffOf(said[0])).toMatchObject({ status: 'withAgent', from: 'agent', agentName: 'Li Wei' });
    expect(said[0]?.text).toContain(`您好，请确认卡号 ${ZHANG.maskedCard} 是否正确`);
    expect(said[0]?.text).not.toContain(ZHANG.card);

    // Back to the bot: it says so and asks for a rating.
    await h.services.queue.handBack(ticket, 'a02');
    const back = await c.received();
    expect(keys(back)).toEqual(['handoff.ended.returned', 'ask.rating']);
    expect(handoffOf(back[0])).toMatchObject({ status: 'ended', ticket });
    expect(cd(back[1]).expecting).toBe('rating');
    expect(buttons(back[1])).toHaveLength(5);

    const thanks = last(await c.say('5分 非常满意'));
    expect(cd(thanks).key).toBe('rating.thanks');
    expect((await h.services.queue.get(ticket))?.rating).toBe(5);
    expect((await h.services.audit.list()).filter((r) => r.type === 'handoff.rated')).toHaveLength(1);
    // The bot has the conversation again.
    expect(cd(last(await c.say('换手机号'))).expecting).toBe('cardNumber');
  });

  test('after a close, the rating can be skipped by simply going on', async () => {
    const c = h.conversation();
    await waiting(c);
    const ticket = (await ticketOf(c))?.ticket ?? '';
    await h.services.queue.claim(ticket, 'a01');
    await c.received();
    await h.services.queue.close(ticket, 'a01', 'resolved');
    expect(keys(await c.received())).toEqual(['handoff.ended.closed', 'ask.rating']);
    const replies = await c.say('我要换绑手机号');
    expect(cd(last(replies)).expecting).toBe('cardNumber');
    expect((await h.services.queue.get(ticket))?.rating).toBeUndefined();
  });

  test('ratings: other forms, and "no" skips', async () => {
    for (const [answer, stars] of [['４分', 4], ['★★★', 3], ['1', 1], ['不用了', undefined]] as const) {
      const c = h.conversation(`rate-${answer}`);
      await waiting(c);
      const ticket = (await ticketOf(c))?.ticket ?? '';
      await h.services.queue.claim(ticket, 'a01');
      await h.services.queue.handBack(ticket, 'a01');
      await c.received();
      const reply = last(await c.say(answer));
      expect(cd(reply).key).toBe(stars === undefined ? 'rating.skipped' : 'rating.thanks');
      expect((await h.services.queue.get(ticket))?.rating).toBe(stars);
    }
  });

  test('stopping the wait cancels the ticket and the bot carries on', async () => {
    const c = h.conversation();
    await waiting(c);
    const ticket = (await ticketOf(c))?.ticket ?? '';
    const reply = last(await c.say('不等了，返回机器人'));
    expect(cd(reply)).toMatchObject({ key: 'handoff.left', intent: 'cancel', handoff: { status: 'left', ticket } });
    expect((await h.services.queue.get(ticket))?.status).toBe('cancelled');
    expect(await h.services.queue.waiting()).toEqual([]);
    expect(cd(last(await c.say('换手机号'))).expecting).toBe('cardNumber');
  });

  test('asking again while waiting keeps the same ticket', async () => {
    const c = h.conversation();
    await waiting(c);
    const reply = last(await c.say('人工客服'));
    expect(cd(reply)).toMatchObject({ key: 'handoff.stillWaiting', handoff: { position: 1 } });
    expect(await h.services.queue.waiting()).toHaveLength(1);
  });

  test('an agent who claims as the customer gives up waiting wins: the customer is connected', async () => {
    const c = h.conversation();
    await waiting(c);
    const ticket = (await ticketOf(c))?.ticket ?? '';
    h.relay.stop(); // the claim's message is still on its way when the customer gives up
    await h.services.queue.claim(ticket, 'a01');
    const reply = last(await c.say('不等了'));
    expect(cd(reply)).toMatchObject({ key: 'handoff.connected', handoff: { status: 'withAgent', agentName: '王丽' } });
    expect((await h.services.queue.get(ticket))?.status).toBe('withAgent');
  });

  test('two agents claim at once: one gets the customer, who is told once', async () => {
    const c = h.conversation();
    await waiting(c);
    const ticket = (await ticketOf(c))?.ticket ?? '';
    const results = await Promise.all([
      h.services.queue.claim(ticket, 'a01'),
      h.services.queue.claim(ticket, 'a02'),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ ok: false, reason: 'taken' });
    expect(keys(await c.received())).toEqual(['handoff.connected']);
  });

  test('a message written after the agent already left is not lost silently', async () => {
    const c = h.conversation();
    await waiting(c);
    const ticket = (await ticketOf(c))?.ticket ?? '';
    await h.services.queue.claim(ticket, 'a01');
    await c.received();
    h.relay.stop(); // the close has not reached the customer yet
    await h.services.queue.close(ticket, 'a01', 'noAnswer');
    const reply = last(await c.say('还在吗？'));
    expect(cd(reply)).toMatchObject({ key: 'handoff.notDelivered', handoff: { status: 'ended' } });
    expect(cd(last(await c.say('换手机号'))).expecting).toBe('cardNumber');
  });

  test('events about an older ticket are ignored', async () => {
    const c = h.conversation();
    await waiting(c);
    const old = (await ticketOf(c))?.ticket ?? '';
    await c.say('不等了');
    await waiting(c, '转人工');
    const now = (await ticketOf(c))?.ticket ?? '';
    expect(now).not.toBe(old);
    await h.bot.notify(`test/${c.id}`, [{ type: 'AGENT_JOINED', ticket: old, agentName: 'x' }]);
    expect(await c.received()).toEqual([]);
    expect((await ticketOf(c))?.status).toBe('waiting');
  });

  test('waiting in the queue does not expire like an unfinished change', async () => {
    const c = h.conversation();
    await waiting(c);
    h.advance(3 * 60 * 60_000);
    const reply = last(await c.say('还要等多久'));
    expect(cd(reply).key).toBe('handoff.stillWaiting');
  });

  test('English customers get English from the agent side too', async () => {
    const c = h.conversation('en', 'en-US');
    await waiting(c, 'I want to talk to a human');
    const ticket = (await ticketOf(c))?.ticket ?? '';
    await h.services.queue.claim(ticket, 'a02');
    const [joined] = await c.received();
    expect(joined?.locale).toBe('en-US');
    expect(joined?.text).toContain('Li Wei');
    await h.services.queue.addLine(ticket, { from: 'agent', text: 'Hello, how can I help?' });
    const [message] = await c.received();
    expect(cd(message)).toMatchObject({ key: 'handoff.agentMessage', handoff: { from: 'agent', agentName: 'Li Wei' } });
    // The agent's words arrive exactly as written, in the English template.
    expect(message?.text).toBe(
      h.services.render('en-US', 'handoff.agentMessage', { agent: 'Li Wei', text: 'Hello, how can I help?' }),
    );
  });
});

describe('outside agent hours: a call back', () => {
  beforeEach(async () => {
    // The harness starts on Saturday 2026-11-28, 10:00 in Shanghai.
    h = await createHarness({ env: { AGENT_HOURS: 'Mon-Fri 09:00-18:00' } });
  });

  async function offered(c: Conversation) {
    await c.join();
    const replies = await c.say('转人工');
    expect(keys(replies)).toEqual(['handoff.afterHours', 'ask.callbackTime']);
    return replies;
  }

  test('the customer is told when agents are back and leaves a time; agents see it, masked', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'oldPhone');
    const replies = await c.say('转人工');
    expect(keys(replies)).toEqual(['handoff.afterHours', 'ask.callbackTime']);
    expect(replies[0]?.text).toMatch(/11月30日/);
    expect(cd(last(replies)).expecting).toBe('callbackTime');
    expect(await h.services.queue.waiting()).toEqual([]);

    const done = last(await c.say('下午（13:00–18:00）'));
    expect(cd(done)).toMatchObject({ key: 'callback.recorded', outcome: 'handedOff', handoff: { status: 'callback' } });
    const [callback] = await h.services.queue.callbacks();
    expect(callback).toMatchObject({
      conversationId: `test/${c.id}`,
      reason: 'customerRequest',
      preferredTime: '下午（13:00–18:00）',
      context: { card: ZHANG.maskedCard, stoppedAt: 'oldPhone' },
    });
    expect(JSON.stringify(callback)).not.toContain(ZHANG.card);
  });

  test.each([
    ['   ', 'empty'],
    ['明天'.repeat(31), 'tooLong'],
    [`打我电话 ${LI.national}`, 'notATime'],
    ['???', 'notATime'],
  ])('a callback time %j is refused (%s) and asked again', async (text, reason) => {
    const c = h.conversation();
    await offered(c);
    const reply = last(await c.say(text));
    expect(cd(reply)).toMatchObject({ key: `invalid.callbackTime.${reason}`, expecting: 'callbackTime' });
    expect(reply?.text).not.toContain(LI.national);
    expect(await h.services.queue.callbacks()).toEqual([]);
    // And the conversation goes on.
    expect(cd(last(await c.say('明天上午'))).key).toBe('callback.recorded');
  });

  test.each(['不用了', '取消'])('%s declines the call back', async (text) => {
    const c = h.conversation();
    await offered(c);
    const reply = last(await c.say(text));
    expect(cd(reply).key).toBe('callback.declined');
    expect(await h.services.queue.callbacks()).toEqual([]);
  });

  test('one open call back per conversation', async () => {
    const c = h.conversation();
    await offered(c);
    await c.say('明天上午');
    await c.say('转人工');
    await c.say('明天下午');
    expect(await h.services.queue.callbacks()).toHaveLength(1);
  });
});

describe('HANDOFF_MODE=protocol: the channel has its own agent hub', () => {
  beforeEach(async () => {
    h = await createHarness({ env: { HANDOFF_MODE: 'protocol' } });
  });

  test('handoff.initiate carries the masked context and transcript; status events are handled', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'oldPhone');
    const replies = await c.say('转人工');
    const message = replies.find((a) => a.type === 'message');
    expect(cd(message)).toMatchObject({ key: 'handoff.transferring', outcome: 'handedOff', handoff: { status: 'channel' } });
    const initiate = replies.find((a) => a.type === 'event');
    expect(initiate?.name).toBe('handoff.initiate');
    expect(initiate?.value).toMatchObject({ reason: 'customerRequest', context: { card: ZHANG.maskedCard } });
    const transcript = initiate?.attachments?.[0]?.content as { activities: Array<Partial<Activity>> };
    expect(transcript.activities.length).toBeGreaterThan(3);
    expect(transcript.activities.some((a) => a.from?.role === 'user' && a.text?.includes(ZHANG.maskedCard))).toBe(true);
    expect(JSON.stringify(initiate)).not.toContain(ZHANG.card);
    expect(JSON.stringify(initiate)).not.toContain(ZHANG.id);
    expect(await h.services.queue.waiting()).toEqual([]);

    // The hub speaks for the bank now: the bot stays quiet.
    expect(await c.say('你好')).toEqual([]);
    expect(await c.event('handoff.status', { state: 'accepted' })).toEqual([]);
    const done = await c.event('handoff.status', { state: 'completed' });
    expect(keys(done)).toEqual(['handoff.ended.channel', 'ask.rating']);
  });

  test('a failed handoff brings the customer back to the bot', async () => {
    const c = h.conversation();
    await c.join();
    await c.say('转人工');
    const failed = await c.event('handoff.status', { state: 'failed', message: 'no agents' });
    expect(cd(last(failed))).toMatchObject({ key: 'handoff.failed', handoff: { status: 'ended' } });
    expect(cd(last(await c.say('换手机号'))).expecting).toBe('cardNumber');
  });

  test('status events with an unknown state are ignored', async () => {
    const c = h.conversation();
    await c.join();
    await c.say('转人工');
    expect(await c.event('handoff.status', { state: 'exploded' })).toEqual([]);
    expect(await c.event('handoff.status', 'nonsense')).toEqual([]);
    expect(keys(await c.event('handoff.status', { state: 'completed' }))).toEqual(['handoff.ended.channel', 'ask.rating']);
  });
});
