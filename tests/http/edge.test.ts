import type { Activity } from 'botbuilder';
import { deflateSync, gzipSync } from 'node:zlib';
import * as restify from 'restify';
import { createLogger } from '../../services/platform/log';
import { HttpError, useErrorResponses } from '../../server/httpErrors';
import { cd, last } from '../support/harness';
import { ExpectRepliesClient } from '../support/httpClient';
import { rawRequest, requestText } from '../support/rawHttp';
import { startTestServer, type TestServer } from '../support/server';

/*
 * The HTTP edge, as an attacker would try it: each request gets a 4xx (or a polite 200) with a JSON
 * error and nothing of ours in it, and the server goes on serving (every test ends on /healthz).
 */

let server: TestServer;
let ids = 0;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.dispose());
afterEach(async () => {
  expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
});

const ACTIVITY = {
  type: 'message',
  text: '你好',
  channelId: 'scripted',
  serviceUrl: 'http://localhost:1/unused',
  conversation: { id: 'edge' },
  from: { id: 'edge-user' },
  recipient: { id: 'rebind' },
  deliveryMode: 'expectReplies',
};

async function postMessages(body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as { error?: { code?: string; message?: string } } };
}

describe('bodies are JSON, at most 1 MB as sent, and never decompressed', () => {
  const activity = JSON.stringify(ACTIVITY);
  const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, ' '));

  test.each([
    ['gzip, but the body is not gzip', 'gzip', Buffer.from(activity)],
    ['a valid gzip activity', 'gzip', gzipSync(activity)],
    ['a 50 KB gzip body that would expand to 50 MB', 'gzip', bomb],
    ['deflate', 'deflate', deflateSync(activity)],
    ['br', 'br', Buffer.from(activity)],
    ['upper case', 'GZIP', gzipSync(activity)],
    ['a list of codings', 'gzip, identity', gzipSync(activity)],
    ['an unknown coding', 'x-rebind', Buffer.from(activity)],
  ])('Content-Encoding: %s → 415, Accept-Encoding: identity', async (_what, encoding, body) => {
    const res = await postMessages(body, { 'content-encoding': encoding });
    expect(res.status).toBe(415);
    expect(res.headers.get('accept-encoding')).toBe('identity');
    expect(res.json().error?.code).toBe('UnsupportedEncoding');
  });

  test('Content-Encoding: identity is read as usual', async () => {
    const res = await postMessages(JSON.stringify({ ...ACTIVITY, conversation: { id: `edge-${++ids}` } }), { 'content-encoding': 'identity' });
    expect(res.status).toBe(200);
  });

  test('the encoding is refused on every route, before any body is read', async () => {
    const res = await fetch(`${server.base}/api/directline/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: bomb,
    });
    expect(res.status).toBe(415);
    const agent = await fetch(`${server.base}/agent/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: Buffer.from('not gzip'),
    });
    expect(agent.status).toBe(415);
  });

  test('a declared length over 1 MB gets 413 at once, without the body being sent', async () => {
    const head = requestText('POST', '/api/messages', {
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(5 * 1024 * 1024) },
    });
    const answer = await rawRequest(server.running.port, head, { timeoutMs: 4000 });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'TooLarge' } });
  });

  test('a chunked body that grows past 1 MB gets 413', async () => {
    const payload = `{"type":"message","text":"${'x'.repeat(2 * 1024 * 1024)}"}`;
    const size = 64 * 1024;
    let chunked = '';
    for (let at = 0; at < payload.length; at += size) {
      const chunk = payload.slice(at, at + size);
      chunked += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    }
    const request = requestText('POST', '/api/messages', {
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      body: `${chunked}0\r\n\r\n`,
    });
    const answer = await rawRequest(server.running.port, request);
    expect(answer.status).toBe(413);
  });

  test('a body that stops short of its Content-Length is not answered with a 5xx', async () => {
    const request = requestText('POST', '/api/messages', {
      headers: { 'Content-Type': 'application/json', 'Content-Length': '1000' },
      body: '{"type":"message"',
    });
    const answer = await rawRequest(server.running.port, request, { timeoutMs: 1500, endAfterWrite: true });
    expect(answer.status === undefined || answer.status < 500).toBe(true);
  });

  test('JSON in a charset other than UTF-8 → 415', async () => {
    const res = await postMessages(activity, { 'content-type': 'application/json; charset=koi8-r' });
    expect(res.status).toBe(415);
  });

  test.each([
    ['not JSON', '{"type":', 'BadJson'],
    ['a JSON string', '"message"', 'BadJson'],
    ['a JSON number', '42', 'BadJson'],
    ['JSON null', 'null', 'BadJson'],
    ['a list', '[{"type":"message"}]', 'BadArgument'],
    ['an empty body', '', 'BadArgument'],
  ])('%s → 400 with a JSON error', async (_what, body, code) => {
    const res = await postMessages(body);
    expect(res.status).toBe(400);
    expect(res.json().error?.code).toBe(code);
  });

  test('a body that is not JSON at all (text/plain) → 400', async () => {
    const res = await postMessages(JSON.stringify(ACTIVITY), { 'content-type': 'text/plain' });
    expect(res.status).toBe(400);
  });
});

describe('activities: refused before the adapter unless they have a type, read defensively after', () => {
  test.each([
    ['no type', { ...ACTIVITY, type: undefined }],
    ['a number for a type', { ...ACTIVITY, type: 5 }],
    ['an object for a type', { ...ACTIVITY, type: { message: true } }],
    ['an empty type', { ...ACTIVITY, type: '' }],
    ['a blank type', { ...ACTIVITY, type: '   ' }],
    ['no conversation', { ...ACTIVITY, conversation: undefined }],
    ['a conversation that is a string', { ...ACTIVITY, conversation: 'edge' }],
    ['a conversation id that is a number', { ...ACTIVITY, conversation: { id: 7 } }],
    ['no channel', { ...ACTIVITY, channelId: undefined }],
    ['a channel that is a list', { ...ACTIVITY, channelId: ['scripted'] }],
  ])('%s → 400 BadArgument, with no detail of ours', async (_what, activity) => {
    const res = await postMessages(JSON.stringify(activity));
    expect(res.status).toBe(400);
    expect(res.json().error?.code).toBe('BadArgument');
    expect(res.text).not.toMatch(/validateAndFixActivity|at .*\.js|Error:/);
  });

  // A wrong type is treated as absent: the turn runs, and the conversation goes on afterwards.
  const wrong: Array<[string, Partial<Record<keyof Activity, unknown>>]> = [
    ['locale: 12345', { locale: 12345 }],
    ['locale: an object', { locale: { en: true } }],
    ['locale: 10 KB of letters', { locale: 'e'.repeat(10_000) }],
    ['text: a number', { text: 42 }],
    ['text: an object', { text: { toString: 'x' } }],
    ['value: a string', { value: 'x' }],
    ['channelData: a string', { channelData: 'x' }],
    ['channelData: a list', { channelData: [1, 2] }],
    ['from: a number', { from: 7 }],
    ['from.id: an object', { from: { id: { a: 1 } } }],
    ['recipient: a list', { recipient: [] }],
    ['serviceUrl: a number', { serviceUrl: 5 }],
    ['serviceUrl: not http', { serviceUrl: 'javascript:alert(1)' }],
    ['attachments: a string', { attachments: 'x' }],
    ['attachments: odd items', { attachments: [1, null, { contentType: 5 }] }],
    ['entities: an object', { entities: {} }],
    ['suggestedActions: a number', { suggestedActions: 5 }],
    ['suggestedActions.actions: a string', { suggestedActions: { actions: 'x' } }],
    ['membersAdded: a string', { membersAdded: 'x' }],
    ['timestamp: garbage', { timestamp: 'not a time' }],
    ['id: a number', { id: 12 }],
    ['replyToId: an object', { replyToId: {} }],
    ['name: a number', { name: 3 }],
  ];
  test.each(wrong)('%s → 200 with a reply, and the conversation goes on', async (_what, fields) => {
    const client = new ExpectRepliesClient(server.base, `edge-fields-${++ids}`);
    const replies = await client.send({ type: 'message', text: '你好', ...(fields as Partial<Activity>) });
    expect(replies.length).toBeGreaterThan(0);
    const next = await client.say('更换绑定手机号');
    expect(cd(last(next)).expecting).toBe('cardNumber');
  });

  test('a conversationUpdate with members that are not a list is taken as nobody joining', async () => {
    const client = new ExpectRepliesClient(server.base, `edge-members-${++ids}`);
    expect(await client.send({ type: 'conversationUpdate', membersAdded: 'everyone' as unknown as [] })).toEqual([]);
  });

  test('locale: 12345 is no locale: the reply is in Chinese, as for a customer who sent none', async () => {
    const client = new ExpectRepliesClient(server.base, `edge-locale-${++ids}`);
    const replies = await client.send({ type: 'message', text: 'change my phone number', locale: 12345 as unknown as string });
    expect(last(replies)?.locale).toBe('zh-CN');
  });

  test('an activity of a type the bot does not act on → 200, nothing said', async () => {
    const res = await postMessages(JSON.stringify({ ...ACTIVITY, type: 'rebind.unknown', conversation: { id: `edge-${++ids}` } }));
    expect(res.status).toBe(200);
  });
});

describe('request targets', () => {
  test.each([
    ['an absolute URL', 'GET', 'http://x:99999/agent/api/events'],
    ['an asterisk', 'OPTIONS', '*'],
    ['a protocol-relative path', 'GET', '//evil.example/healthz'],
  ])('%s → 400', async (_what, method, target) => {
    const answer = await rawRequest(server.running.port, requestText(method, target));
    expect(answer.status).toBe(400);
  });

  test.each([
    ['/static/%E0%A4%A', 404],
    ['/static/%00', 404],
    ['/static/..%2f..%2fpackage.json', 404],
    ['/static/%2e%2e/%2e%2e/package.json', 404],
    ['/v3/directline/conversations/%E0%A4%A/activities?watermark=%', 404],
    ['/agent/api/events?stream=%E0%A4%A', 401],
  ])('malformed escapes in %s → %i', async (path, status) => {
    expect((await fetch(`${server.base}${path}`)).status).toBe(status);
  });

  test('a WebSocket upgrade with malformed escapes or target is refused, not thrown', async () => {
    for (const target of ['/v3/directline/conversations/%E0%A4%A/stream?t=x', 'http://x:99999/v3/directline/conversations/c/stream']) {
      const answer = await rawRequest(
        server.running.port,
        requestText('GET', target, {
          headers: { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13' },
        }),
      );
      expect(answer.status).toBe(403);
    }
  });

  test('GET and PUT on /api/messages → 405 with a JSON error', async () => {
    for (const method of ['GET', 'PUT']) {
      const res = await fetch(`${server.base}/api/messages`, { method });
      expect(res.status).toBe(405);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('MethodNotAllowed');
    }
  });
});

describe('a failure of ours says nothing about it', () => {
  test('a route that throws → 500 with a fixed body: no message, no stack, nothing from the request; logged masked', async () => {
    const lines: string[] = [];
    const app = restify.createServer();
    useErrorResponses(app, { logger: createLogger({ level: 'error', write: (l) => lines.push(l) }) });
    app.get('/boom', async () => {
      throw new Error('card 6222021234567890128 broke at /srv/rebind/x.ts:12');
    });
    app.get('/refused', async () => {
      throw new HttpError(409, 'Busy', 'Try later.');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const port = (app.address() as { port: number }).port;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/boom`);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: { code: 'ServerError', message: 'Something went wrong.' } });
      expect(lines.join('\n')).toContain('6222 **** **** 0128');
      expect(lines.join('\n')).not.toContain('6222021234567890128');
      const refused = await fetch(`http://127.0.0.1:${port}/refused`);
      expect(refused.status).toBe(409);
      expect(await refused.json()).toEqual({ error: { code: 'Busy', message: 'Try later.' } });
    } finally {
      await new Promise<void>((resolve) => app.close(() => resolve()));
    }
  });
});
