import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Activity } from 'botbuilder';
import { cd } from '../support/harness';
import { startTestServer, type TestServer } from '../support/server';

/**
 * The Bot Framework Emulator posts activities without expectReplies and receives the bot's replies
 * on its own connector endpoint (serviceUrl). This stands in for that endpoint.
 */
let connector: Server;
let connectorUrl: string;
const received: Array<{ path: string; activity: Partial<Activity> }> = [];
let server: TestServer;

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(data));
  });

beforeAll(async () => {
  connector = createServer(async (req, res) => {
    received.push({ path: req.url ?? '', activity: JSON.parse(await body(req)) as Partial<Activity> });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: `reply-${received.length}` }));
  });
  await new Promise<void>((resolve) => connector.listen(0, '127.0.0.1', resolve));
  const address = connector.address();
  connectorUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  server = await startTestServer();
});
afterAll(async () => {
  await server.dispose();
  await new Promise((r) => connector.close(r));
});

test('like the Emulator: no app id, replies posted back to the serviceUrl of the conversation', async () => {
  const res = await fetch(`${server.base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      id: 'emu-1',
      text: 'I want to change my bound phone number',
      locale: 'en-US',
      channelId: 'emulator',
      serviceUrl: connectorUrl,
      conversation: { id: 'emu-conv' },
      from: { id: 'emu-user', name: 'User' },
      recipient: { id: 'rebind', name: 'Bot' },
    }),
  });
  expect(res.status).toBe(200);
  expect(received.map((r) => r.path)).toEqual([
    '/v3/conversations/emu-conv/activities/emu-1',
    '/v3/conversations/emu-conv/activities/emu-1',
  ]);
  expect(cd(received[1]?.activity)).toMatchObject({ key: 'ask.cardNumber', expecting: 'cardNumber' });
  expect(received[1]?.activity.locale).toBe('en-US');
});
