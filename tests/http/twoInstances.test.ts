import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { readOutbox } from '../../services/sms/outbox';
import { lastCodeInOutbox, startFakeChannel, type FakeChannel } from '../support/channel';
import { FRESH, ZHANG } from '../support/demo';
import { cd, TEST_AGENT_TOKENS, TEST_AGENTS } from '../support/harness';
import { testRedisUrl, uniquePrefix } from '../support/redis';
import { startTestServer, type TestServer } from '../support/server';

/**
 * Two bot instances on one Redis, as behind a load balancer: a customer's turns alternate between
 * them, and an agent signed in on one talks to a customer whose messages reach the other.
 */

jest.setTimeout(120_000);

let a: TestServer;
let b: TestServer;
let shared: string;
let channel: FakeChannel;
/** What either instance posted to the channel's endpoint (proactive messages land here). */
const posted = () => channel.received.map((r) => r.activity);

beforeAll(async () => {
  // The channel's endpoint (like the Emulator's).
  channel = await startFakeChannel();

  // One Redis (one prefix), one bank core and one SMS outbox for both.
  shared = mkdtempSync(join(tmpdir(), 'rebind-two-'));
  const env = {
    STORAGE: 'redis',
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: uniquePrefix('two'),
    DATA_DIR: shared,
    AGENT_TOKENS: TEST_AGENT_TOKENS,
  };
  a = await startTestServer(env);
  b = await startTestServer(env);
});

afterAll(async () => {
  await a?.dispose();
  await b?.dispose();
  await channel.close();
  rmSync(shared, { recursive: true, force: true });
});

let next = 0;
/** One customer message on `server`. With expectReplies the replies come back in the response;
 * without, they go to the channel's endpoint, like the Emulator's. */
async function send(
  server: TestServer,
  conversation: string,
  text: string,
  expectReplies: boolean,
): Promise<Array<Partial<Activity>>> {
  const res = await fetch(`${server.base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      id: `two-${++next}`,
      text,
      locale: 'zh-CN',
      channelId: expectReplies ? 'scripted' : 'emulator',
      serviceUrl: channel.url,
      ...(expectReplies ? { deliveryMode: 'expectReplies' } : {}),
      conversation: { id: conversation },
      from: { id: `user-${conversation}` },
      recipient: { id: 'rebind' },
    }),
  });
  expect(res.status).toBe(200);
  return expectReplies ? ((await res.json()) as { activities: Array<Partial<Activity>> }).activities : [];
}
const turn = (server: TestServer, conversation: string, text: string) => send(server, conversation, text, true);
const post = async (server: TestServer, conversation: string, text: string) => {
  await send(server, conversation, text, false);
};

const codeFor = (phone: string) => lastCodeInOutbox(shared, phone);

const expectingOf = (replies: Array<Partial<Activity>>) => cd(replies.at(-1)).expecting;

test('a change completes with every turn on the other instance than the last', async () => {
  const conv = 'alternating';
  const servers = [a, b];
  let i = 0;
  const say = (text: string) => turn(servers[i++ % 2] as TestServer, conv, text);

  expect(expectingOf(await say('我要更换银行卡绑定的手机号'))).toBe('cardNumber');
  expect(expectingOf(await say(ZHANG.card))).toBe('idNumber');
  expect(expectingOf(await say(ZHANG.id))).toBe('oldPhone');
  expect(expectingOf(await say(ZHANG.national))).toBe('otp');
  expect(expectingOf(await say(codeFor(ZHANG.phone)))).toBe('newPhone');
  expect(expectingOf(await say(FRESH.national))).toBe('otp');
  expect(expectingOf(await say(codeFor(FRESH.phone)))).toBe('confirm');
  const done = await say('确认');
  expect(cd(done.at(-1))).toMatchObject({ key: 'change.done', outcome: 'phoneChanged' });
  expect(await a.services.bank.boundPhone(ZHANG.card)).toBe(FRESH.phone);
  // Exactly one code per number, whichever instance sent it.
  const sent = readOutbox(join(shared, 'sms-outbox.jsonl'));
  expect(sent.filter((m) => m.to === ZHANG.phone && /\d{6}/.test(m.text))).toHaveLength(1);
  expect(sent.filter((m) => m.to === FRESH.phone && /\d{6}/.test(m.text))).toHaveLength(1);
});

test("a customer's messages arriving at both instances at once never interleave", async () => {
  const conv = 'double';
  await turn(a, conv, '我要换手机号');
  const replies = await Promise.all([
    turn(a, conv, '帮助'),
    turn(b, conv, '帮助'),
    turn(a, conv, '帮助'),
    turn(b, conv, '帮助'),
  ]);
  for (const r of replies) {
    expect(cd(r.at(-1)).key).not.toBe('error.turn');
    expect(cd(r.at(-1)).expecting).toBe('cardNumber');
  }
  // The conversation is intact afterwards.
  expect(expectingOf(await turn(b, conv, ZHANG.card))).toBe('idNumber');
});

test('an agent on instance B talks with a customer whose messages reach instance A', async () => {
  const conv = 'person';
  const from = () => channel.received.length;
  async function until(count: number, since: number): Promise<Array<Partial<Activity>>> {
    for (let i = 0; i < 400 && channel.received.length < since + count; i++) await new Promise((r) => setTimeout(r, 25));
    await Promise.all([a.running.relay.idle(), b.running.relay.idle()]);
    return posted().slice(since);
  }
  const api = (server: TestServer, path: string, payload?: unknown) =>
    fetch(`${server.base}/agent/api${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_AGENTS.a01.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(payload ?? {}),
    });

  let mark = from();
  await post(a, conv, '转人工');
  const queued = await until(1, mark);
  expect(cd(queued.at(-1))).toMatchObject({ key: 'handoff.queued', outcome: 'handedOff' });
  const ticket = String((cd(queued.at(-1)).handoff as { ticket: string }).ticket);

  mark = from();
  expect((await api(b, `/tickets/${ticket}/claim`)).status).toBe(200);
  const joined = await until(1, mark);
  expect(joined.map((x) => cd(x).key)).toEqual(['handoff.connected']);

  mark = from();
  expect((await api(b, `/tickets/${ticket}/messages`, { text: '您好，我是王丽' })).status).toBe(200);
  const said = await until(1, mark);
  expect(said.map((x) => cd(x).key)).toEqual(['handoff.agentMessage']);
  expect(said[0]?.text).toContain('您好，我是王丽');

  await post(a, conv, '我的旧号码停用了');
  const state = (await (
    await fetch(`${b.base}/agent/api/state`, { headers: { authorization: `Bearer ${TEST_AGENTS.a01.token}` } })
  ).json()) as { mine: Array<{ ticket: string; transcript: Array<{ from: string; text: string }> }> };
  expect(state.mine.find((t) => t.ticket === ticket)?.transcript.at(-1)).toMatchObject({
    from: 'customer',
    text: '我的旧号码停用了',
  });

  mark = from();
  expect((await api(a, `/tickets/${ticket}/handback`)).status).toBe(200);
  const back = await until(2, mark);
  expect(back.map((x) => cd(x).key)).toEqual(['handoff.ended.returned', 'ask.rating']);
});
