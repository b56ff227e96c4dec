import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { ZHANG } from '../support/demo';
import { startTestServer, type TestServer } from '../support/server';

jest.setTimeout(120_000);

let server: TestServer;
let browser: Browser;
beforeAll(async () => {
  server = await startTestServer({ WIDGET_ORIGINS: 'https://www.bank.example' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

/** What the page sees of a violation (this project's types have no DOM). */
interface Violation {
  violatedDirective: string;
  blockedURI: string;
  sourceFile: string;
  lineNumber: number;
  columnNumber: number;
}
interface PageWindow {
  addEventListener(type: string, listener: (event: Violation) => void): void;
  __cspViolations: string[];
}

const PANEL = '[data-testid="rebind-chat"]';

/**
 * Waits until the widget says the bot expects `what`. Polled from here with page.evaluate (run by
 * the DevTools protocol, outside the page's CSP): page.waitForFunction evals its predicate inside
 * the page, which this page's CSP refuses ('unsafe-eval'), and that must not count as a violation.
 */
async function untilExpecting(page: Page, what: string): Promise<void> {
  const deadline = Date.now() + 45_000;
  while ((await page.evaluate('window.RebindWidget.state().expecting')) !== what) {
    if (Date.now() > deadline) throw new Error(`the bot never expected ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function send(page: Page, text: string): Promise<void> {
  const input = page.locator(`${PANEL} [data-id="webchat-sendbox-input"]`);
  await input.fill(text);
  await input.press('Enter');
}

test('Web Chat runs under the page\'s Content-Security-Policy without a single violation', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  const logged: string[] = [];
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) logged.push(message.text());
  });
  const sockets: string[] = [];
  page.on('websocket', (socket) => sockets.push(socket.url()));
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  // Listens before the page's own scripts run, so no violation is missed.
  await page.addInitScript(() => {
    const win = globalThis as unknown as PageWindow;
    win.__cspViolations = [];
    win.addEventListener('securitypolicyviolation', (e) =>
      win.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`),
    );
  });

  const response = await page.goto(server.base);
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toMatch(/style-src 'self' 'nonce-[A-Za-z0-9+/]{22}==' 'sha256-47DEQpj8HBSa\+\/TImW\+5JCeuQeRkm5NMpJWZG3hSuFU=';/);
  expect(csp).not.toContain('unsafe');

  await page.click('[data-testid="rebind-chat-button"]');
  await page.waitForSelector(`${PANEL} [data-id="webchat-sendbox-input"]`, { timeout: 30_000 });
  // The welcome, with its buttons (Web Chat's styled suggested actions); one answers the bot.
  const button = page.locator(`${PANEL} button`, { hasText: '更换绑定手机号' }).first();
  await button.waitFor({ timeout: 45_000 });
  await button.click();
  await untilExpecting(page, 'cardNumber');
  await send(page, ZHANG.card);
  await untilExpecting(page, 'idNumber');
  // A re-render in the other language (new style sets under the same nonce).
  await page.click('[data-testid="lang-en"]');
  await send(page, ZHANG.id);
  await untilExpecting(page, 'oldPhone');

  // Web Chat's styles did apply: every <style> has its sheet (none was refused), and each carries the
  // nonce but one: react-scroll-to-bottom's, which Web Chat 4.18.1 does not give the nonce. That one is
  // empty (its rules go in through the CSSOM) and passes by the empty string's hash (EMPTY_STYLE_HASH).
  const styles = (await page.evaluate(
    '[...document.querySelectorAll("style")].map((s) => ({ nonce: s.nonce !== "", emotion: s.dataset.emotion ?? "", text: s.textContent, rules: s.sheet ? s.sheet.cssRules.length : -1 }))',
  )) as Array<{ nonce: boolean; emotion: string; text: string; rules: number }>;
  expect(styles.filter((style) => style.nonce).length).toBeGreaterThan(0);
  expect(styles.filter((style) => !style.nonce)).toHaveLength(1);
  for (const style of styles) {
    expect(style.rules).toBeGreaterThanOrEqual(0);
    if (!style.nonce) expect([style.emotion, style.text]).toEqual([expect.stringMatching(/^react-scroll-to-bottom--css-/), '']);
  }
  // The transcript scrolls: the styles of the one <style> without a nonce (react-scroll-to-bottom's).
  expect(await page.evaluate('getComputedStyle(document.querySelector(".webchat__basic-transcript__scrollable")).overflowY')).toBe('auto');
  // The Direct Line stream is a WebSocket to this host: connect-src 'self' covers ws: too.
  expect(sockets.some((url) => url.startsWith(server.base.replace(/^http/, 'ws')))).toBe(true);

  const violations = (await page.evaluate('window.__cspViolations')) as string[];
  expect(violations).toEqual([]);
  expect(logged).toEqual([]);
  expect(errors).toEqual([]);
  await page.close();
});
