import type { Activity } from 'botbuilder';
import { cd } from '../support/harness';
import { startTestServer, type TestServer } from '../support/server';

interface Token {
  token: string;
  conversationId: string;
}

/** A widget's conversation on the local Direct Line, its messages sent with `headers`. */
async function widget(server: TestServer, headers: Record<string, string> = {}) {
  const t = (await (await fetch(`${server.base}/api/directline/token`, { method: 'POST', headers })).json()) as Token;
  const auth = { authorization: `Bearer ${t.token}`, 'content-type': 'application/json', ...headers };
  const url = `${server.base}/v3/directline/conversations/${encodeURIComponent(t.conversationId)}/activities`;
  await fetch(`${server.base}/v3/directline/conversations`, { method: 'POST', headers: auth });
  let watermark = '';
  return {
    /** Sends a message; the bot's replies to it. */
    async say(text: string): Promise<Partial<Activity>[]> {
      const res = await fetch(url, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ type: 'message', text, from: { id: 'x' }, locale: 'zh-CN' }),
      });
      expect(res.status).toBe(200);
      const got = (await (await fetch(`${url}?watermark=${watermark}`, { headers: auth })).json()) as {
        activities: Partial<Activity>[];
        watermark: string;
      };
      watermark = got.watermark;
      return got.activities.filter((a) => a.from?.role === 'bot');
    },
  };
}

const keysOf = (replies: Partial<Activity>[]) => replies.map((r) => cd(r).key);

describe('per client IP (RATE_LIMIT_MESSAGES ip:…), on the local Direct Line', () => {
  let server: TestServer | undefined;
  afterEach(async () => server?.dispose());

  test('customers behind one address share its allowance; the one over it is told to slow down', async () => {
    server = await startTestServer({ RATE_LIMIT_MESSAGES: 'ip:3/1m' });
    const a = await widget(server);
    const b = await widget(server);
    expect(keysOf(await a.say('你好'))).not.toContain('limit.messages');
    expect(keysOf(await b.say('你好'))).not.toContain('limit.messages');
    expect(keysOf(await a.say('你好'))).not.toContain('limit.messages');
    const told = await b.say('你好');
    expect(keysOf(told)).toEqual(['limit.messages']);
    expect(cd(told[0])).toMatchObject({ reason: 'rateLimited' });
  });

  test('behind a proxy of ours (TRUST_PROXY_HOPS=1), each forwarded address counts apart', async () => {
    server = await startTestServer({ RATE_LIMIT_MESSAGES: 'ip:2/1m', TRUST_PROXY_HOPS: '1' });
    const a = await widget(server, { 'x-forwarded-for': '203.0.113.10' });
    // A client cannot escape its count by writing an address of its own in front.
    const a2 = await widget(server, { 'x-forwarded-for': '1.2.3.4, 203.0.113.10' });
    const b = await widget(server, { 'x-forwarded-for': '203.0.113.20' });
    expect(keysOf(await a.say('你好'))).not.toContain('limit.messages');
    expect(keysOf(await a2.say('你好'))).not.toContain('limit.messages');
    expect(keysOf(await a.say('你好'))).toEqual(['limit.messages']);
    expect(keysOf(await b.say('你好'))).not.toContain('limit.messages');
  });

  test('messages through /api/messages (a channel service) are not limited by its address', async () => {
    server = await startTestServer({ RATE_LIMIT_MESSAGES: 'ip:1/1m' });
    const post = async (conversation: string) => {
      const res = await fetch(`${server!.base}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          id: `m-${conversation}`,
          text: '你好',
          channelId: 'emulator',
          serviceUrl: 'http://127.0.0.1:1',
          deliveryMode: 'expectReplies',
          conversation: { id: conversation },
          from: { id: `user-${conversation}`, role: 'user' },
          recipient: { id: 'rebind', role: 'bot' },
          locale: 'zh-CN',
        }),
      });
      return ((await res.json()) as { activities: Partial<Activity>[] }).activities;
    };
    for (const conversation of ['p1', 'p2', 'p3']) expect(keysOf(await post(conversation))).not.toContain('limit.messages');
  });
});
