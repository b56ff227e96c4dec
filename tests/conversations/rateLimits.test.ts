import type { Activity } from 'botbuilder';
import { buttons, cd, createHarness, keys, last, RATE_LIMITS_OFF, type Harness } from '../support/harness';
import { driveTo } from '../support/drive';
import { LI, ZHANG } from '../support/demo';
import { createCatalog } from '../../content';

const catalog = createCatalog({ strict: true });
const agentButton = catalog.render('zh-CN', 'button.agent');

let h: Harness | undefined;
afterEach(() => h?.dispose());

async function harness(env: Record<string, string>): Promise<Harness> {
  h = await createHarness({ env: { ...RATE_LIMITS_OFF, ...env } });
  return h;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const auditOf = async (h: Harness, conversation: string) =>
  (await h.services.audit.list({ conversationId: `test/${conversation}` })).map((r) => ({ type: r.type, ...r.data }));
const limitedMetric = async (h: Harness, action: string, scope: string) => {
  const { body } = await h.services.metrics.exposition();
  const line = body.split('\n').find((l) => l.startsWith(`rebind_rate_limited_total{action="${action}",scope="${scope}"}`));
  return Number(line?.split(' ').at(-1));
};

describe('message floods (RATE_LIMIT_MESSAGES)', () => {
  test('per conversation: the first message over the limit is told when to write again, the rest get nothing, and the flow is kept', async () => {
    const h = await harness({ RATE_LIMIT_MESSAGES: 'conversation:4/2s' });
    const c = h.conversation('flood');
    expect(cd(last(await c.say('更换绑定手机号'))).expecting).toBe('cardNumber');
    expect(cd(last(await c.say(ZHANG.card))).expecting).toBe('idNumber');
    await c.say('帮助');
    await c.say('帮助');

    const told = await c.say(ZHANG.id);
    expect(told).toHaveLength(1);
    expect(cd(told[0])).toMatchObject({ key: 'limit.messages', reason: 'rateLimited' });
    const seconds = cd(told[0]).retryAfterSeconds as number;
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(2);
    expect(told[0]?.text).toBe(catalog.render('zh-CN', 'limit.messages', { seconds }));
    // Further messages in the window are dropped without a reply: a flood never makes the bot flood back.
    expect(await c.say(ZHANG.id)).toEqual([]);
    expect(await c.say('转人工')).toEqual([]);
    // Another conversation is not held up.
    expect(cd(last(await h.conversation('calm').say('更换绑定手机号'))).expecting).toBe('cardNumber');

    // Told once, audited once; every refusal counted.
    expect((await auditOf(h, 'flood')).filter((r) => r.type === 'limit.reached')).toEqual([
      { type: 'limit.reached', action: 'messages', scope: 'conversation' },
    ]);
    expect(await limitedMetric(h, 'messages', 'conversation')).toBe(3);

    await sleep(seconds * 1000 + 150);
    // The card is still there and nothing dropped was acted on: the bot still wants the ID.
    expect(cd(last(await c.say(ZHANG.id))).expecting).toBe('oldPhone');
  });

  test('per user: one user id across several conversations', async () => {
    const h = await harness({ RATE_LIMIT_MESSAGES: 'user:3/1m' });
    const from = { id: 'same-person', name: 'Customer', role: 'user' };
    const say = (conversation: string, text: string): Promise<Partial<Activity>[]> =>
      h.conversation(conversation).send({ type: 'message', text, from });
    expect(keys(await say('u1', '你好'))).not.toContain('limit.messages');
    expect(keys(await say('u2', '你好'))).not.toContain('limit.messages');
    expect(keys(await say('u3', '你好'))).not.toContain('limit.messages');
    expect(keys(await say('u4', '你好'))).toEqual(['limit.messages']);
    // Someone else in the same place is fine.
    expect(keys(await h.conversation('u5').say('你好'))).not.toContain('limit.messages');
    expect(await limitedMetric(h, 'messages', 'user')).toBe(1);
  });

  test('a channel retrying an answered message gets the recorded reply, and is not counted again', async () => {
    const h = await harness({ RATE_LIMIT_MESSAGES: 'conversation:2/1m' });
    const c = h.conversation('retry');
    const first = await c.say('更换绑定手机号', 'same-id');
    expect(keys(await c.say('更换绑定手机号', 'same-id'))).toEqual(keys(first));
    expect(cd(last(await c.say(ZHANG.card))).expecting).toBe('idNumber');
  });
});

describe('identity checks (RATE_LIMIT_IDENTITY)', () => {
  test('per card, across conversations: the check over the limit is not made, the flow ends with limit.identity', async () => {
    const h = await harness({ RATE_LIMIT_IDENTITY: 'card:2/1h' });
    await driveTo(h, h.conversation('id-1'), 'oldPhoneReachable');
    await driveTo(h, h.conversation('id-2'), 'oldPhoneReachable');

    const c = h.conversation('id-3');
    await driveTo(h, c, 'oldPhone');
    const reply = last(await c.say(ZHANG.national));
    expect(cd(reply)).toMatchObject({ key: 'limit.identity', outcome: 'locked', reason: 'rateLimited' });
    expect(cd(reply).retryAfterSeconds as number).toBeGreaterThan(0);
    expect(buttons(reply)).toContain(agentButton);
    expect(reply?.text).not.toContain(ZHANG.card);

    const audit = await auditOf(h, 'id-3');
    expect(audit.map((r) => r.type)).not.toContain('identity.passed');
    expect(audit).toContainEqual({ type: 'identity.limited', card: expect.stringMatching(/^6222 \*{4} \*{4} \d{4}$/), scope: 'card' });
    expect(JSON.stringify(audit)).not.toContain(ZHANG.card);
    // A person is offered and can be had.
    expect(keys(await c.say('转人工'))).toContain('handoff.queued');
  });

  test('per conversation: failed and passed checks both count', async () => {
    const h = await harness({ RATE_LIMIT_IDENTITY: 'conversation:2/1h' });
    const c = h.conversation('id-conv');
    await c.say('更换绑定手机号');
    await c.say(ZHANG.card);
    await c.say(LI.id);
    expect(keys(await c.say(ZHANG.national))).toContain('identity.failed');
    await c.say(ZHANG.card);
    await c.say(LI.id);
    expect(keys(await c.say(ZHANG.national))).toContain('identity.failed');
    await c.say(ZHANG.card);
    await c.say(ZHANG.id);
    expect(cd(last(await c.say(ZHANG.national)))).toMatchObject({ key: 'limit.identity', outcome: 'locked' });
    expect(await limitedMetric(h, 'identity', 'conversation')).toBe(1);
  });
});

describe('code sends (RATE_LIMIT_CODES)', () => {
  test('per card: a send over the limit says limit.codes at the code prompt; the code already sent still works', async () => {
    const h = await harness({ RATE_LIMIT_CODES: 'card:2/1h' });
    const c = h.conversation('codes');
    await driveTo(h, c, 'otp');
    h.advance(61_000);
    expect(cd(last(await c.say('重新发送')))).toMatchObject({ key: 'otp.sent.old' });
    const sent = h.sms.sent.length;
    h.advance(61_000);
    const refused = last(await c.say('重新发送'));
    expect(cd(refused)).toMatchObject({ key: 'limit.codes', expecting: 'otp', otpTarget: 'old', reason: 'rateLimited' });
    expect(buttons(refused)).toContain(agentButton);
    expect(h.sms.sent.length).toBe(sent);

    // The last code sent still opens the next step; the new number's code is the card's third: refused too.
    expect(cd(last(await c.say(h.sms.lastCode(ZHANG.phone)))).expecting).toBe('newPhone');
    expect(cd(last(await c.say('18612345678')))).toMatchObject({ key: 'limit.codes', otpTarget: 'new' });
    const audit = await auditOf(h, 'codes');
    expect(audit.filter((r) => r.type === 'code.refused')).toEqual([
      { type: 'code.refused', purpose: 'old', phone: expect.stringMatching(/^\d{3}\*{4}\d{4}$/), reason: 'rateLimited', scope: 'card' },
      { type: 'code.refused', purpose: 'new', phone: '186****5678', reason: 'rateLimited', scope: 'card' },
    ]);
  });

  test('a window shorter than a minute: the wait is given in seconds as it is, and said as one minute', async () => {
    const h = await harness({ RATE_LIMIT_CODES: 'conversation:1/30s' });
    const c = h.conversation('short');
    await driveTo(h, c, 'otp');
    h.advance(61_000);
    const refused = last(await c.say('重新发送'));
    expect(cd(refused)).toMatchObject({ key: 'limit.codes', reason: 'rateLimited' });
    const seconds = cd(refused).retryAfterSeconds as number;
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(30);
    expect(refused?.text).toBe(catalog.render('zh-CN', 'limit.codes', { minutes: 1 }));
  });

  test('per user, across conversations', async () => {
    const h = await harness({ RATE_LIMIT_CODES: 'user:1/1h' });
    const from = { id: 'one-person', name: 'Customer', role: 'user' };
    const c1 = h.conversation('c1');
    const c2 = h.conversation('c2');
    const say = (c: typeof c1, text: string) => c.send({ type: 'message', text, from });
    for (const c of [c1, c2]) {
      await say(c, '更换绑定手机号');
      await say(c, c === c1 ? ZHANG.card : LI.card);
      await say(c, c === c1 ? ZHANG.id : LI.id);
    }
    // The first code goes as soon as the current number is checked.
    expect(cd(last(await say(c1, ZHANG.national))).key).toBe('otp.sent.old');
    expect(cd(last(await say(c2, LI.national)))).toMatchObject({ key: 'limit.codes', reason: 'rateLimited' });
  });
});
