import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from '../support/server';

/*
 * Behind Azure Bot Service (an app id is set) the widget talks to Azure's Direct Line: this server
 * exchanges the channel's secret for a token of a new conversation and tells the page where Direct
 * Line is. Azure's Direct Line is played by a local server that records what it is asked.
 */

const SECRET = 'direct-line-channel-secret-for-tests';
const APP = { MicrosoftAppId: 'rebind-test-app', MicrosoftAppPassword: 'not-used' };

interface Asked {
  path: string;
  authorization: string | undefined;
  body: unknown;
}

let azure: Server;
let endpoint: string;
const asked: Asked[] = [];
let answer: (res: import('node:http').ServerResponse) => void;

beforeAll(async () => {
  azure = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      asked.push({ path: req.url ?? '', authorization: req.headers.authorization, body: text ? (JSON.parse(text) as unknown) : undefined });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => azure.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(azure.address() as AddressInfo).port}/v3/directline`;
});
afterAll(() => new Promise<void>((resolve) => azure.close(() => resolve())));

function reply(res: import('node:http').ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.dispose();
  server = undefined;
  asked.length = 0;
});

const token = (base: string) => fetch(`${base}/api/directline/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

test('the page gets a token of a new Azure conversation and where Direct Line is; the secret stays on the server', async () => {
  answer = (res) => reply(res, 200, JSON.stringify({ conversationId: 'AzConv1', token: 'az.token', expires_in: 3600 }));
  server = await startTestServer({ ...APP, DIRECT_LINE_SECRET: SECRET, DIRECT_LINE_ENDPOINT: endpoint });
  const res = await token(server.base);
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const text = await res.text();
  expect(JSON.parse(text)).toEqual({ token: 'az.token', conversationId: 'AzConv1', expires_in: 3600, domain: endpoint });
  expect(text).not.toContain(SECRET);
  expect(asked).toEqual([{ path: '/v3/directline/tokens/generate', authorization: `Bearer ${SECRET}`, body: { user: { id: expect.stringMatching(/^dl_/) } } }]);

  // The page may connect to Azure's Direct Line (HTTP and its WebSocket), and to nothing else new.
  const page = await fetch(`${server.base}/`);
  const csp = page.headers.get('content-security-policy') ?? '';
  const origin = new URL(endpoint).host;
  expect(csp).toMatch(new RegExp(`connect-src 'self' http://${origin} ws://${origin};`));
  // The local Direct Line is off behind Azure.
  expect((await fetch(`${server.base}/v3/directline/conversations`, { method: 'POST' })).status).toBe(404);
});

test.each<[string, (res: import('node:http').ServerResponse) => void]>([
  ['refuses the secret', (res) => reply(res, 403, '{"error":{"code":"Forbidden"}}')],
  ['answers something else', (res) => reply(res, 200, '{"token":42}')],
  ['never answers', () => undefined],
])('when Azure %s: 503 to try again, nothing of Azure passed on', async (_what, azureAnswer) => {
  answer = azureAnswer;
  server = await startTestServer({ ...APP, DIRECT_LINE_SECRET: SECRET, DIRECT_LINE_ENDPOINT: endpoint });
  const res = await token(server.base);
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe('5');
  expect(await res.json()).toEqual({ error: { code: 'DirectLineUnavailable', message: expect.any(String) } });
}, 30_000);

test('behind Azure without a Direct Line secret there is no token route; the page connects only to itself', async () => {
  server = await startTestServer(APP);
  expect((await token(server.base)).status).toBe(404);
  const csp = (await fetch(`${server.base}/`)).headers.get('content-security-policy') ?? '';
  expect(csp).toContain("connect-src 'self';");
  expect(asked).toEqual([]);
});
