import type { Activity } from 'botbuilder';
import WebSocket from 'ws';
import { cd } from '../support/harness';
import { startTestServer, type TestServer } from '../support/server';
import { ZHANG } from '../support/demo';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.dispose());

interface Token {
  token: string;
  conversationId: string;
  expires_in: number;
}

async function newToken(): Promise<Token> {
  const res = await fetch(`${server.base}/api/directline/token`, { method: 'POST' });
  expect(res.status).toBe(200);
  return (await res.json()) as Token;
}

const auth = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

async function start(t: Token): Promise<{ streamUrl: string }> {
  const res = await fetch(`${server.base}/v3/directline/conversations`, { method: 'POST', headers: auth(t.token) });
  expect(res.status).toBe(201);
  return (await res.json()) as { streamUrl: string };
}

async function post(t: Token, activity: Partial<Activity>, conversationId = t.conversationId) {
  return fetch(`${server.base}/v3/directline/conversations/${encodeURIComponent(conversationId)}/activities`, {
    method: 'POST',
    headers: auth(t.token),
    body: JSON.stringify(activity),
  });
}

async function activities(t: Token, watermark = '', conversationId = t.conversationId) {
  const res = await fetch(
    `${server.base}/v3/directline/conversations/${encodeURIComponent(conversationId)}/activities?watermark=${watermark}`,
    { headers: auth(t.token) },
  );
  return { status: res.status, body: (await res.json()) as { activities: Partial<Activity>[]; watermark: string } };
}

describe('the local Direct Line 3.0', () => {
  test('a conversation: welcome, the customer\'s message echoed masked with its client id, the bot\'s replies', async () => {
    const t = await newToken();
    expect(t.conversationId.length).toBeGreaterThanOrEqual(20);
    await start(t);
    const first = await activities(t);
    expect(cd(first.body.activities[0])).toMatchObject({ key: 'welcome.greeting' });

    const res = await post(t, {
      type: 'message',
      text: `我想换绑定手机号，卡号 ${ZHANG.card}`,
      from: { id: 'whoever', name: '' },
      locale: 'zh-CN',
      channelData: { clientActivityID: 'client-1' },
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };

    const after = await activities(t, first.body.watermark);
    const echo = after.body.activities[0];
    expect(echo?.id).toBe(id);
    expect(echo?.from?.role).toBe('user');
    expect((echo?.channelData as { clientActivityID?: string }).clientActivityID).toBe('client-1');
    expect(echo?.text).toContain(ZHANG.maskedCard);
    expect(echo?.text).not.toContain(ZHANG.card);
    // The bot got the whole number: it took the card and asks for the ID.
    expect(after.body.activities.map((a) => cd(a).expecting).filter(Boolean)).toEqual(['idNumber']);
  });

  test('a token opens only its own conversation', async () => {
    const mine = await newToken();
    const theirs = await newToken();
    await start(theirs);
    expect((await activities(mine, '', theirs.conversationId)).status).toBe(403);
    expect((await post(mine, { type: 'message', text: 'hi' }, theirs.conversationId)).status).toBe(403);
    const reconnect = await fetch(`${server.base}/v3/directline/conversations/${theirs.conversationId}`, {
      headers: auth(mine.token),
    });
    expect(reconnect.status).toBe(403);
    // Nor its stream.
    const url = `${server.base.replace('http', 'ws')}/v3/directline/conversations/${theirs.conversationId}/stream?t=${encodeURIComponent(mine.token)}`;
    await expect(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.on('open', () => resolve('opened'));
        ws.on('error', reject);
        ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      }),
    ).rejects.toThrow(/403/);
  });

  test('tampered, forged and missing tokens are refused', async () => {
    const t = await newToken();
    const [payload, mac] = t.token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { c: string };
    const other = await newToken();
    const swapped = Buffer.from(JSON.stringify({ ...claims, c: other.conversationId })).toString('base64url');
    for (const token of [`${swapped}.${mac}`, `${payload}.AAAA`, 'not-a-token', '']) {
      const res = await fetch(`${server.base}/v3/directline/conversations`, { method: 'POST', headers: auth(token) });
      expect(res.status).toBe(403);
    }
  });

  test('a refreshed token keeps the conversation', async () => {
    const t = await newToken();
    const res = await fetch(`${server.base}/v3/directline/tokens/refresh`, { method: 'POST', headers: auth(t.token) });
    const refreshed = (await res.json()) as Token;
    expect(refreshed.conversationId).toBe(t.conversationId);
    expect(refreshed.token).not.toBe(t.token);
    await start(refreshed);
    expect((await activities(refreshed)).body.activities.length).toBeGreaterThan(0);
  });

  test('nobody but the bot can post as the bot', async () => {
    const t = await newToken();
    await start(t);
    const res = await fetch(`${server.base}/connector/guess/v3/conversations/${t.conversationId}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: '请把验证码告诉我' }),
    });
    expect(res.status).toBe(404);
  });

  test('the WebSocket stream pushes the bot\'s replies as they come', async () => {
    const t = await newToken();
    const { streamUrl } = await start(t);
    const ws = new WebSocket(streamUrl);
    const received: Partial<Activity>[] = [];
    ws.on('message', (data) => {
      const text = data.toString();
      if (text) received.push(...((JSON.parse(text) as { activities: Partial<Activity>[] }).activities ?? []));
    });
    await new Promise((resolve) => ws.on('open', resolve));
    await post(t, { type: 'message', text: '更换绑定手机号', channelData: { clientActivityID: 'c2' } });
    for (let i = 0; i < 50 && !received.some((a) => cd(a).expecting === 'cardNumber'); i += 1) {
      await new Promise((r) => setTimeout(r, 20));
    }
    ws.close();
    const types = received.map((a) => a.type);
    expect(types).toContain('typing');
    expect(received.some((a) => cd(a).key === 'welcome.greeting')).toBe(true);
    expect(received.some((a) => cd(a).expecting === 'cardNumber')).toBe(true);
  });

  test('activities that are not messages or events are refused; over-long text too', async () => {
    const t = await newToken();
    await start(t);
    expect((await post(t, { type: 'conversationUpdate' })).status).toBe(400);
    expect((await post(t, { type: 'message', text: 'x'.repeat(100 * 1024 + 1) })).status).toBe(400);
  });
});

test('a proactive message (an agent\'s reply) reaches the page\'s stream at once', async () => {
  const t = await newToken();
  const { streamUrl } = await start(t);
  const reference = await server.bot.referenceOf(`rebind/directline/${t.conversationId}`);
  if (!reference?.serviceUrl) throw new Error('no conversation reference was kept');
  const ws = new WebSocket(streamUrl);
  const pushed = new Promise<Partial<Activity>>((resolve) => {
    ws.on('message', (data) => {
      const set = data.toString() ? (JSON.parse(data.toString()) as { activities: Partial<Activity>[] }) : undefined;
      const hit = set?.activities.find((a) => a.text === '您好，我是客服小王。');
      if (hit) resolve(hit);
    });
  });
  await new Promise((resolve) => ws.on('open', resolve));
  await server.running.adapter.continueConversationAsync('', reference, async (context) => {
    await context.sendActivity('您好，我是客服小王。');
  });
  const activity = await pushed;
  ws.close();
  expect(activity.from?.role).toBe('bot');
});
