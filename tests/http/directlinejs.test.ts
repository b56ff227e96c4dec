import WebSocket from 'ws';
import XMLHttpRequest from 'xhr2';
import type { Activity as DirectLineActivity } from 'botframework-directlinejs';
import { startTestServer, type TestServer } from '../support/server';

// botframework-directlinejs is a browser library: in Node it needs the browser's XMLHttpRequest and
// WebSocket. Nothing else is changed: this is the plain client Web Chat itself uses.
Object.assign(globalThis, { XMLHttpRequest, WebSocket });
// Required after the globals exist (the client checks for WebSocket when it is constructed).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DirectLine } = require('botframework-directlinejs') as typeof import('botframework-directlinejs');

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.dispose());

const expecting = (a: DirectLineActivity) =>
  (a as { channelData?: { expecting?: string } }).channelData?.expecting;

test.each([
  ['WebSocket', true],
  ['polling', false],
])('the plain botframework-directlinejs client works over %s', async (_mode, webSocket) => {
  const res = await fetch(`${server.base}/api/directline/token`, { method: 'POST' });
  const { token } = (await res.json()) as { token: string };
  const directLine = new DirectLine({ token, domain: `${server.base}/v3/directline`, webSocket, pollingInterval: 100 });
  const seen: DirectLineActivity[] = [];
  const asked = new Promise<void>((resolve) => {
    const subscription = directLine.activity$.subscribe((a) => {
      seen.push(a);
      if (expecting(a) === 'cardNumber') {
        subscription.unsubscribe();
        resolve();
      }
    });
  });
  const id = await new Promise<string>((resolve, reject) =>
    directLine
      .postActivity({ type: 'message', from: { id: 'customer' }, text: '我要更换预留手机号' })
      .subscribe({ next: resolve, error: reject }),
  );
  await asked;
  directLine.end();
  expect(id).toBeTruthy();
  expect(seen.some((a) => a.type === 'message' && a.from.role === 'user' && a.id === id)).toBe(true);
  expect(seen.some((a) => a.from.role === 'bot' && (a as { channelData?: { key?: string } }).channelData?.key === 'welcome.greeting')).toBe(true);
});
