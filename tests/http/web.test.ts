import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ WIDGET_ORIGINS: 'https://www.bank.example' });
});
afterAll(() => server.dispose());

test('the page, its assets and the Web Chat bundle are served from this server', async () => {
  const page = await fetch(`${server.base}/`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  const html = await page.text();
  expect(html).toContain('/webchat.js');
  expect(html).not.toMatch(/https?:\/\/(?!bank\.example)[a-z0-9.-]+\//i); // nothing from another host
  expect(html).not.toMatch(/<script>(?!\s*<\/script>)/); // no inline script
  const bundle = await fetch(`${server.base}/webchat.js`);
  expect(bundle.status).toBe(200);
  expect(bundle.headers.get('content-type')).toContain('javascript');
  expect(Number(bundle.headers.get('content-length'))).toBeGreaterThan(1_000_000);
  for (const asset of ['widget.js', 'widget.css', 'bot-avatar.svg']) {
    expect((await fetch(`${server.base}/static/${asset}`)).status).toBe(200);
  }
});

test('nothing outside web/static can be read through /static', async () => {
  for (const path of ['/static/..%2F..%2Fpackage.json', '/static/%2e%2e/%2e%2e/var/secret.key', '/static/nope.js']) {
    expect((await fetch(`${server.base}${path}`)).status).toBe(404);
  }
});

test('a listed site may call the widget routes (CORS); other sites and the bot endpoint get nothing', async () => {
  const preflight = await fetch(`${server.base}/api/directline/token`, {
    method: 'OPTIONS',
    headers: { origin: 'https://www.bank.example', 'access-control-request-method': 'POST' },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe('https://www.bank.example');
  expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');

  const token = await fetch(`${server.base}/api/directline/token`, {
    method: 'POST',
    headers: { origin: 'https://evil.example' },
  });
  expect(token.headers.get('access-control-allow-origin')).toBeNull();

  const bot = await fetch(`${server.base}/api/messages`, {
    method: 'OPTIONS',
    headers: { origin: 'https://www.bank.example', 'access-control-request-method': 'POST' },
  });
  expect(bot.headers.get('access-control-allow-origin')).toBeNull();
});
