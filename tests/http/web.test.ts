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

// ---- Security headers ----------------------------------------------------------------------------

/** A Content-Security-Policy header as directive → sources. */
function directives(csp: string | null): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of (csp ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), sources);
  }
  return map;
}

const ON_EVERY_RESPONSE = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

function expectBaseHeaders(res: Response): void {
  for (const [name, value] of Object.entries(ON_EVERY_RESPONSE)) expect([name, res.headers.get(name)]).toEqual([name, value]);
  // Plain HTTP here: no HSTS.
  expect(res.headers.get('strict-transport-security')).toBeNull();
}

describe('security headers', () => {
  test('the customer page: a strict policy Web Chat runs under, framed only by the bank\'s sites', async () => {
    const res = await fetch(`${server.base}/`);
    expectBaseHeaders(res);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const csp = res.headers.get('content-security-policy');
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).not.toContain("'unsafe-inline'");
    const policy = directives(csp);
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
    // WIDGET_ORIGINS may frame the page; X-Frame-Options cannot say so, so it is left to CSP.
    expect(policy.get('frame-ancestors')).toEqual(["'self'", 'https://www.bank.example']);
    expect(res.headers.get('x-frame-options')).toBeNull();
    // Styles: this server's files, Web Chat's <style> elements by this response's nonce, and the
    // empty one (sha256 of '') whose rules react-scroll-to-bottom inserts through the CSSOM.
    const [self, nonce, empty, ...more] = policy.get('style-src') ?? [];
    expect(self).toBe("'self'");
    expect(nonce).toMatch(/^'nonce-[A-Za-z0-9+/]{22}=='$/);
    expect(empty).toBe("'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
    expect(more).toEqual([]);
    // The nonce is on the widget's script tag, for Web Chat, and is new on every response.
    const html = await res.text();
    expect(html).toContain(`<script src="/static/widget.js" defer data-rebind-mount="zh-CN" nonce="${nonce?.slice(7, -1)}"></script>`);
    const again = directives((await fetch(`${server.base}/`)).headers.get('content-security-policy')).get('style-src');
    expect(again?.[1]).not.toBe(nonce);
  });

  test('the customer page has no inline script, no inline handler and no secret', async () => {
    const html = await (await fetch(`${server.base}/`)).text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/[^"]+"/); // a file of this server
      expect(body?.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i); // onclick= and the like
    expect(html).not.toMatch(/javascript:/i);
    // The Direct Line token is asked for by the widget (POST /api/directline/token), never written in.
    const withoutNonce = html.replace(/ nonce="[^"]*"/g, '');
    expect(withoutNonce).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // base64 JSON, as in a JWT or our tokens
    expect(withoutNonce).not.toMatch(/[A-Za-z0-9_+/-]{32,}/); // any long random-looking string
    expect(withoutNonce).not.toMatch(/token|secret|password/i);
    const issued = (await (await fetch(`${server.base}/api/directline/token`, { method: 'POST' })).json()) as { token: string };
    expect(html).not.toContain(issued.token);
    expect(html).not.toContain(issued.token.split('.')[0]);
  });

  test('static assets and the Web Chat bundle: no sniffing, and nothing runs if one is opened as a page', async () => {
    for (const path of ['/static/widget.js', '/webchat.js', '/static/widget.css', '/static/bot-avatar.svg']) {
      const res = await fetch(`${server.base}${path}`);
      expect(res.status).toBe(200);
      expectBaseHeaders(res);
      const policy = directives(res.headers.get('content-security-policy'));
      expect(policy.get('default-src')).toEqual(["'none'"]);
      expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
      await res.arrayBuffer();
    }
  });

  test('the agent console keeps its strict policy and is never framed', async () => {
    const res = await fetch(`${server.base}/agent`);
    expectBaseHeaders(res);
    const csp = res.headers.get('content-security-policy');
    expect(csp).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    expect(csp).not.toContain('unsafe');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const asset = await fetch(`${server.base}/agent/static/console.js`);
    expectBaseHeaders(asset);
    expect(directives(asset.headers.get('content-security-policy')).get('default-src')).toEqual(["'none'"]);
  });

  test('JSON answers (a token, the Direct Line, an unknown route) are never cached or sniffed', async () => {
    const token = await fetch(`${server.base}/api/directline/token`, { method: 'POST' });
    const { token: bearer } = (await token.json()) as { token: string };
    const conversation = await fetch(`${server.base}/v3/directline/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}` },
    });
    await conversation.json();
    const missing = await fetch(`${server.base}/no/such/route`);
    await missing.text();
    for (const res of [token, conversation, missing]) {
      expectBaseHeaders(res);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });
});

describe('security headers without WIDGET_ORIGINS, behind a TLS proxy', () => {
  let alone: TestServer;
  beforeAll(async () => {
    alone = await startTestServer({ TRUST_PROXY_HOPS: '1' });
  });
  afterAll(() => alone.dispose());

  test('only this site may frame the page, and X-Frame-Options says so too', async () => {
    const res = await fetch(`${alone.base}/`);
    expect(directives(res.headers.get('content-security-policy')).get('frame-ancestors')).toEqual(["'self'"]);
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  test('HSTS only for requests that came over HTTPS (here: at the proxy we trust)', async () => {
    const plain = await fetch(`${alone.base}/`);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
    for (const path of ['/', '/agent', '/healthz']) {
      const res = await fetch(`${alone.base}${path}`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
    }
    // Without a trusted proxy, the header proves nothing.
    const untrusted = await fetch(`${server.base}/`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(untrusted.headers.get('strict-transport-security')).toBeNull();
  });
});
