import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { lastCodeInOutbox } from '../support/channel';
import { FRESH, ZHANG } from '../support/demo';
import { startTestServer, type TestServer } from '../support/server';
import { createCatalog } from '../../content';

const catalog = createCatalog({ strict: true });
/** The first line of the answer about code rules (it has no parameters). */
const faqAnswerTitle = catalog
  .render('zh-CN', 'faq.otpLimits', { ttlMinutes: 0, resendSeconds: 0, maxAttempts: 0, lockMinutes: 0, maxPerHour: 0, maxPerDay: 0 })
  .split('\n')[0]!;

jest.setTimeout(240_000);

let server: TestServer;
let browser: Browser;
beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

interface WidgetState {
  open: boolean;
  locale: string;
  expecting?: string;
  otpTarget?: string;
  countdown?: number;
  conversationId?: string;
}

// Browser-side checks are written as expressions (this project's types have no DOM).
const state = (page: Page) => page.evaluate('window.RebindWidget.state()') as Promise<WidgetState>;

/** The page's globals, typed just enough for the waits below. */
type PageGlobal = {
  RebindWidget: { state(): WidgetState };
  document: { querySelector(selector: string): { textContent: string | null; getAttribute(name: string): string | null } | null };
};
const PANEL = '[data-testid="rebind-chat"]';

// The waits are functions, not strings: the page's content security policy forbids eval, which is
// how Playwright polls a string (page.evaluate is not affected).

/** Waits until the widget says the bot now expects `what` (from the replies' channelData). */
async function untilExpecting(page: Page, what: string): Promise<void> {
  await page.waitForFunction(
    (wanted) => (globalThis as unknown as PageGlobal).RebindWidget.state().expecting === wanted,
    what,
    { timeout: 45_000 },
  );
}

async function untilShows(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    ([panel, wanted]) => ((globalThis as unknown as PageGlobal).document.querySelector(panel)?.textContent ?? '').includes(wanted),
    [PANEL, text] as const,
    { timeout: 45_000 },
  );
}

async function untilOutcome(page: Page, outcome: string): Promise<void> {
  await page.waitForFunction(
    ([panel, wanted]) => (globalThis as unknown as PageGlobal).document.querySelector(panel)?.getAttribute('data-outcome') === wanted,
    [PANEL, outcome] as const,
    { timeout: 45_000 },
  );
}

/** The transcript's text, as the customer sees it. */
const transcript = (page: Page) => page.locator('[data-testid="rebind-chat"]').innerText();

async function send(page: Page, text: string): Promise<void> {
  const input = page.locator('[data-testid="rebind-chat"] [data-id="webchat-sendbox-input"]');
  await input.fill(text);
  await input.press('Enter');
}

const codeFor = (phone: string) => lastCodeInOutbox(server.dataDir, phone);

async function shot(page: Page, name: string): Promise<string> {
  const file = join(ARTIFACTS, `widget-${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

test('a customer changes their number in the widget, asks a question on the way, then asks for a person', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.base);
  await page.click('[data-testid="rebind-chat-button"]');
  await page.waitForSelector('[data-testid="rebind-chat"] [data-id="webchat-sendbox-input"]', { timeout: 30_000 });
  await untilShows(page, '智能客服');
  await shot(page, '1-welcome');

  await send(page, '我想更换银行卡绑定的手机号');
  await untilExpecting(page, 'cardNumber');
  await send(page, ZHANG.card);
  await untilExpecting(page, 'idNumber');
  // The customer's card number shows masked in the transcript.
  const text = await transcript(page);
  expect(text).not.toContain(ZHANG.card);
  expect(text).toContain('6222');

  await send(page, ZHANG.id);
  await untilExpecting(page, 'oldPhone');
  // The first code goes at once; the prompt offers "this number can't get texts" beside "resend".
  await send(page, ZHANG.national);
  await untilExpecting(page, 'otp');
  await page
    .locator('[data-testid="rebind-chat"] button', { hasText: catalog.render('zh-CN', 'button.cantReceive') })
    .first()
    .waitFor({ state: 'visible', timeout: 30_000 });

  // The code prompt: a one-time-code input and a resend countdown.
  const input = page.locator('[data-testid="rebind-chat"] [data-id="webchat-sendbox-input"]');
  expect(await input.getAttribute('autocomplete')).toBe('one-time-code');
  expect(await input.getAttribute('inputmode')).toBe('numeric');
  await page.waitForSelector('[data-testid="otp-countdown"]', { state: 'visible' });
  await shot(page, '2-code');

  // A question in the middle: answered, and the code is asked for again.
  const prompt = catalog.render('zh-CN', 'ask.otp', { phone: ZHANG.maskedPhone });
  // Counted in the panel's text content (Web Chat also keeps a copy for screen readers): the same
  // measure before and after.
  const prompts = () =>
    page.evaluate(
      ([panel, wanted]) => ((globalThis as unknown as PageGlobal).document.querySelector(panel)?.textContent ?? '').split(wanted).length - 1,
      [PANEL, prompt] as const,
    );
  const promptsBefore = await prompts();
  await send(page, '验证码多久有效？');
  // The answer (its first line, from the catalogue), then the code prompt once more.
  await untilShows(page, faqAnswerTitle);
  await page.waitForFunction(
    ([panel, wanted, before]) =>
      ((globalThis as unknown as PageGlobal).document.querySelector(panel)?.textContent ?? '').split(wanted).length - 1 > before,
    [PANEL, prompt, promptsBefore] as const,
    { timeout: 45_000 },
  );
  expect(await prompts()).toBeGreaterThan(promptsBefore);
  expect((await state(page)).expecting).toBe('otp');

  await send(page, codeFor(ZHANG.phone));
  await untilExpecting(page, 'newPhone');
  await send(page, FRESH.national);
  await untilExpecting(page, 'otp');
  expect((await state(page)).otpTarget).toBe('new');
  await send(page, codeFor(FRESH.phone));
  await untilExpecting(page, 'confirm');
  const summary = await shot(page, '3-confirm');
  await page.locator('[data-testid="rebind-chat"] button', { hasText: '确认更换' }).first().click();
  await untilOutcome(page, 'phoneChanged');
  await shot(page, '4-changed');

  // Then a person.
  await send(page, '转人工');
  await untilOutcome(page, 'handedOff');
  await shot(page, '5-person');
  const all = await transcript(page);
  for (const secret of [ZHANG.card, ZHANG.id, ZHANG.national, FRESH.national]) expect(all).not.toContain(secret);
  expect(errors).toEqual([]);

  // The README shows what the customer sees: docs/widget.png is copied from this one.
  copyFileSync(summary, join(ARTIFACTS, 'latest-widget.png'));
});

test('the language switch turns the conversation to English', async () => {
  const page = await browser.newPage({ viewport: { width: 420, height: 760 } });
  await page.goto(server.base);
  await page.click('[data-testid="rebind-chat-button"]');
  await page.waitForSelector('[data-testid="rebind-chat"] [data-id="webchat-sendbox-input"]', { timeout: 30_000 });
  await page.click('[data-testid="lang-en"]');
  await page.waitForSelector('[data-testid="rebind-chat"] [data-id="webchat-sendbox-input"]');
  await send(page, 'I want to change my phone number');
  await untilExpecting(page, 'cardNumber');
  await untilShows(page, 'card');
  expect((await state(page)).locale).toBe('en-US');
  await shot(page, '6-english-mobile');
});
