import type { Browser, Page } from 'playwright-core';
import { launchChromium, runAxe } from '../support/browser';
import { lastCodeInOutbox } from '../support/channel';
import { FRESH, LI, ZHANG } from '../support/demo';
import { TEST_AGENT_TOKENS, TEST_AGENTS } from '../support/harness';
import { startTestServer, type TestServer } from '../support/server';
import { createCatalog } from '../../content';

/**
 * WCAG 2.1 AA in the browser: axe-core finds nothing on the customer's page (before and with the chat
 * open, at a code prompt with buttons, after the change) nor on the agent console with a ticket; the
 * widget can be used with the keyboard alone; the status region read to screen readers does not keep
 * a countdown once no code is awaited.
 */

jest.setTimeout(240_000);

const catalog = createCatalog({ strict: true });
const label = (button: string) => catalog.render('zh-CN', `button.${button}`);

/** Rules the findings below depend on: if axe stopped running one of them, "0 violations" would mean nothing. */
const RULES_WE_RELY_ON = [
  'color-contrast',
  'landmark-no-duplicate-banner',
  'landmark-unique',
  'region',
  'aria-allowed-role',
  'listitem',
  'page-has-heading-one',
  'button-name',
  'label',
];

let server: TestServer;
let browser: Browser;
beforeAll(async () => {
  server = await startTestServer({ AGENT_TOKENS: TEST_AGENT_TOKENS });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

const PANEL = '[data-testid="rebind-chat"]';
const INPUT = `${PANEL} [data-id="webchat-sendbox-input"]`;
const STATUS = `${PANEL} [data-testid="rebind-status"]`;
const SUGGESTED = `${PANEL} [role="toolbar"] button`;

/**
 * Polls an expression until `ok` holds. page.evaluate runs through the DevTools protocol, outside the
 * page's CSP (page.waitForFunction would eval inside the page, which the CSP refuses).
 */
async function until<T>(page: Page, expression: string, ok: (value: T) => boolean, what: string, timeout = 45_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = (await page.evaluate(expression)) as T;
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const untilExpecting = (page: Page, wanted: string) =>
  until<string | null>(page, 'window.RebindWidget.state().expecting ?? null', (v) => v === wanted, `the bot never expected ${wanted}`);
const untilExpectingOneOf = (page: Page, wanted: string[]) =>
  until<string | null>(page, 'window.RebindWidget.state().expecting ?? null', (v) => v !== null && wanted.includes(v), `the bot never expected any of ${wanted}`);
const untilOutcome = (page: Page, wanted: string) =>
  until<string | null>(page, `document.querySelector('${PANEL}').getAttribute('data-outcome')`, (v) => v === wanted, `no outcome ${wanted}`);
const untilPresent = (page: Page, selector: string) =>
  until<boolean>(page, `document.querySelector(${JSON.stringify(selector)}) !== null`, Boolean, `nothing matches ${selector}`);

/** The status region screen readers hear: its role, liveness and text. */
const statusRegion = (page: Page) =>
  page.evaluate(`(() => {
    const region = document.querySelector('${STATUS}');
    return { role: region.getAttribute('role'), live: region.getAttribute('aria-live'), text: region.textContent };
  })()`) as Promise<{ role: string | null; live: string | null; text: string }>;

async function send(page: Page, text: string): Promise<void> {
  await page.locator(INPUT).fill(text);
  await page.locator(INPUT).press('Enter');
}

/** axe-core over the whole page finds nothing; `where` names the state in a failure. */
async function expectNoViolations(page: Page, where: string): Promise<void> {
  const { violations, rulesRun } = await runAxe(page);
  expect({ where, violations }).toEqual({ where, violations: [] });
  expect(rulesRun).toEqual(expect.arrayContaining(RULES_WE_RELY_ON));
}

test('the customer\'s page has no axe violations: alone, with the chat open, at a code prompt with buttons, after the change; the status region is emptied when the change is done', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.base);
  await expectNoViolations(page, 'the page');

  await page.click('[data-testid="rebind-chat-button"]');
  await untilPresent(page, INPUT);
  await untilPresent(page, SUGGESTED); // the welcome and its buttons
  await expectNoViolations(page, 'the chat open');

  await send(page, ZHANG.card);
  await untilExpecting(page, 'idNumber');
  await send(page, ZHANG.id);
  await untilExpecting(page, 'oldPhone');
  await send(page, ZHANG.national);
  if ((await untilExpectingOneOf(page, ['oldPhoneReachable', 'otp'])) === 'oldPhoneReachable') {
    await page.locator(SUGGESTED, { hasText: label('yes') }).first().click();
    await untilExpecting(page, 'otp');
  }
  await page.locator(SUGGESTED, { hasText: label('resend') }).first().waitFor();
  // The countdown bar is hidden from screen readers (it changes every second); the status region
  // carries what it says when the prompt arrives.
  const atPrompt = await statusRegion(page);
  expect(atPrompt).toEqual({ role: 'status', live: 'polite', text: await page.locator('[data-testid="otp-countdown"]').textContent() });
  expect(atPrompt.text).not.toBe('');
  expect(await page.getAttribute('[data-testid="otp-countdown"]', 'aria-hidden')).toBe('true');
  await expectNoViolations(page, 'a code prompt with buttons');

  await send(page, lastCodeInOutbox(server.dataDir, ZHANG.phone));
  await untilExpecting(page, 'newPhone');
  await send(page, FRESH.national);
  await untilExpecting(page, 'otp');
  expect((await statusRegion(page)).text).not.toBe('');
  await send(page, lastCodeInOutbox(server.dataDir, FRESH.phone));
  await untilExpecting(page, 'confirm');
  await page.locator(SUGGESTED, { hasText: label('confirm') }).first().click();
  await untilOutcome(page, 'phoneChanged');
  expect(await statusRegion(page)).toEqual({ role: 'status', live: 'polite', text: '' });
  await expectNoViolations(page, 'after the change');
  expect(errors).toEqual([]);
  await page.close();
});

test('the agent console has no axe violations: signing in, and signed in with a ticket open', async () => {
  const errors: string[] = [];
  const customer = await browser.newPage({ viewport: { width: 1100, height: 800 }, locale: 'zh-CN' });
  customer.on('pageerror', (e) => errors.push(`customer: ${String(e)}`));
  await customer.goto(server.base);
  await customer.click('[data-testid="rebind-chat-button"]');
  await untilPresent(customer, INPUT);
  await send(customer, '转人工');
  await untilPresent(customer, '[data-testid="handoff-status"][data-status="waiting"]');
  await expectNoViolations(customer, 'the customer waiting for a person');

  const agent = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  agent.on('pageerror', (e) => errors.push(`agent: ${String(e)}`));
  await agent.goto(`${server.base}/agent`);
  await expectNoViolations(agent, 'the sign-in form');
  await agent.fill('[data-testid="agent-token"]', TEST_AGENTS.a01.token);
  await agent.click('#signin-submit');
  await agent.waitForSelector('[data-testid="queue-item"]', { timeout: 30_000 });
  await expectNoViolations(agent, 'the queue');
  await agent.click('[data-testid="queue-item"] [data-testid="claim"]');
  await agent.waitForSelector('[data-testid="mine-item"]', { timeout: 30_000 });
  await agent.waitForSelector('[data-testid="agent-context"] dl');
  await agent.fill('[data-testid="agent-reply"]', '您好，请问有什么可以帮您？');
  await agent.click('[data-testid="agent-send"]');
  await agent.waitForSelector('[data-testid="agent-transcript"] .line--agent:not(.line--pending)', { timeout: 30_000 });
  // The transcript is a log (read as it grows) holding a list of lines.
  expect(await agent.evaluate(`document.querySelector('[data-testid="agent-transcript"]').closest('[role="log"]').getAttribute('aria-live')`)).toBe('polite');
  await expectNoViolations(agent, 'signed in with a ticket open');
  expect(errors).toEqual([]);
  await customer.close();
  await agent.close();
});

/** What has the keyboard focus, as far as the test needs to know. */
interface Focus {
  testid: string | null;
  dataId: string | null;
  inToolbar: boolean;
  text: string;
}
const FOCUS = `(() => {
  const a = document.activeElement;
  return { testid: a.getAttribute('data-testid'), dataId: a.getAttribute('data-id'), inToolbar: a.closest('[role="toolbar"]') !== null, text: (a.textContent || '').trim() };
})()`;
const focused = (page: Page) => page.evaluate(FOCUS) as Promise<Focus>;
const inSendBox = (f: Focus) => f.dataId === 'webchat-sendbox-input';
const onLauncher = (f: Focus) => f.testid === 'rebind-chat-button';
const untilFocus = (page: Page, ok: (f: Focus) => boolean, what: string) => until<Focus>(page, FOCUS, ok, what, 30_000);

/**
 * From the send box: Shift+Tab reaches the suggested actions (a toolbar with one tab stop), the arrows
 * move to the one labelled `wanted`, Enter presses it; the focus goes back to the send box.
 */
async function pressSuggestedAction(page: Page, wanted: string): Promise<void> {
  await untilPresent(page, SUGGESTED);
  expect(inSendBox(await focused(page))).toBe(true);
  await page.keyboard.press('Shift+Tab');
  expect((await focused(page)).inToolbar).toBe(true);
  for (let moves = 0; (await focused(page)).text !== wanted && moves < 6; moves += 1) await page.keyboard.press('ArrowRight');
  expect(await focused(page)).toMatchObject({ inToolbar: true, text: wanted });
  await page.keyboard.press('Enter');
  await untilFocus(page, inSendBox, 'after a suggested action the focus is not in the send box');
}

test('keyboard only: Tab to the launcher, open with Space or Enter, press a suggested action, type and send, cancel, close with Escape and land on the launcher', async () => {
  // Another customer than the first test's (whose number that test changed).
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.base);
  const launcher = page.locator('[data-testid="rebind-chat-button"]');

  // Tab through the page until the launcher (it comes after the page's own links and buttons).
  let presses = 0;
  while (!onLauncher(await focused(page)) && presses < 40) {
    await page.keyboard.press('Tab');
    presses += 1;
  }
  expect(onLauncher(await focused(page))).toBe(true);

  // Space opens; the send box takes the focus once Web Chat is there; Escape closes, back on the launcher.
  await page.keyboard.press('Space');
  await untilFocus(page, inSendBox, 'the send box never got the focus');
  expect(await launcher.getAttribute('aria-expanded')).toBe('true');
  await page.keyboard.press('Escape');
  expect(onLauncher(await focused(page))).toBe(true);
  expect(await launcher.getAttribute('aria-expanded')).toBe('false');
  expect(await page.locator(PANEL).isHidden()).toBe(true);

  // Enter opens again, straight into the send box; a welcome button is pressed from the keyboard.
  await page.keyboard.press('Enter');
  await untilFocus(page, inSendBox, 'the send box did not get the focus again');
  await pressSuggestedAction(page, label('changePhone'));
  await untilExpecting(page, 'cardNumber');

  // Typed and sent with Enter, the focus staying in the send box.
  for (const [text, next] of [
    [LI.card, 'idNumber'],
    [LI.id, 'oldPhone'],
  ] as const) {
    await untilFocus(page, inSendBox, 'the focus left the send box');
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
    await untilExpecting(page, next);
  }
  await page.keyboard.type(LI.national);
  await page.keyboard.press('Enter');
  // Whether the current number still gets texts is asked only in some flows: a button again.
  if ((await untilExpectingOneOf(page, ['oldPhoneReachable', 'otp'])) === 'oldPhoneReachable') {
    await pressSuggestedAction(page, label('yes'));
    await untilExpecting(page, 'otp');
  }
  expect((await statusRegion(page)).text).not.toBe('');

  // Cancelling ends the flow and empties the status region.
  await untilFocus(page, inSendBox, 'the focus left the send box');
  await page.keyboard.type('取消');
  await page.keyboard.press('Enter');
  await untilOutcome(page, 'cancelled');
  expect(await statusRegion(page)).toEqual({ role: 'status', live: 'polite', text: '' });

  await page.keyboard.press('Escape');
  expect(onLauncher(await focused(page))).toBe(true);
  expect((await page.evaluate('window.RebindWidget.state()')) as { open: boolean }).toMatchObject({ open: false });
  expect(errors).toEqual([]);
  await page.close();
});
