import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { ZHANG } from '../support/demo';
import { TEST_AGENT_TOKENS, TEST_AGENTS } from '../support/harness';
import { startTestServer, type TestServer } from '../support/server';

/**
 * Two pages: a customer in the widget asks for a person and sees their place in the queue; an agent
 * signs in to the console, claims them, sees the masked context and replies; the customer answers;
 * the agent hands back to the bot, which asks for a rating.
 */

jest.setTimeout(180_000);

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

const CHAT = '[data-testid="rebind-chat"]';
const widgetState = (page: Page) =>
  page.evaluate('window.RebindWidget.state()') as Promise<{ expecting?: string; handoff?: Record<string, unknown> }>;

async function send(page: Page, text: string): Promise<void> {
  const input = page.locator(`${CHAT} [data-id="webchat-sendbox-input"]`);
  await input.fill(text);
  await input.press('Enter');
}
/** The page's globals, typed just enough (this project's types have no DOM). */
type PageGlobal = {
  RebindWidget: { state(): { expecting?: string } };
  document: { querySelector(selector: string): { textContent: string | null } | null };
};
/** A function, not a string: the customer's page forbids eval too (see untilShows). */
async function untilExpecting(page: Page, what: string): Promise<void> {
  await page.waitForFunction(
    (wanted) => (globalThis as unknown as PageGlobal).RebindWidget.state().expecting === wanted,
    what,
    { timeout: 30_000 },
  );
}

/**
 * Waits for text inside an element. A function, not a string: the console's content security policy
 * forbids eval, which is how Playwright runs strings.
 */
async function untilShows(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([sel, wanted]) => ((globalThis as unknown as PageGlobal).document.querySelector(sel)?.textContent ?? '').includes(wanted),
    [selector, text] as const,
    { timeout: 30_000 },
  );
}

test('a customer waits in the queue, an agent claims and replies, then hands back to the bot', async () => {
  const errors: string[] = [];
  // --- The customer: a change under way, then a person.
  const customer = await browser.newPage({ viewport: { width: 1100, height: 800 }, locale: 'zh-CN' });
  customer.on('pageerror', (e) => errors.push(`customer: ${String(e)}`));
  await customer.goto(server.base);
  await customer.click('[data-testid="rebind-chat-button"]');
  await customer.waitForSelector(`${CHAT} [data-id="webchat-sendbox-input"]`, { timeout: 30_000 });
  await send(customer, '我想更换银行卡绑定的手机号');
  await untilExpecting(customer, 'cardNumber');
  await send(customer, ZHANG.card);
  await untilExpecting(customer, 'idNumber');
  await send(customer, ZHANG.id);
  await untilExpecting(customer, 'oldPhone');
  await send(customer, ZHANG.national);
  await untilExpecting(customer, 'otp');
  await send(customer, '转人工');

  // Their place in the queue, on the strip above the transcript and in the message.
  await customer.waitForSelector('[data-testid="handoff-status"][data-status="waiting"]', { timeout: 30_000 });
  await untilShows(customer, '[data-testid="handoff-status"]', '第 1 位');
  expect((await widgetState(customer)).handoff).toMatchObject({ status: 'waiting', position: 1 });
  await customer.waitForSelector(`${CHAT}[data-outcome="handedOff"]`, { state: 'attached', timeout: 30_000 });
  await customer.screenshot({ path: join(ARTIFACTS, 'handoff-1-customer-waiting.png') });

  // --- The agent: signs in with a token, sees the queue, claims the customer.
  const agent = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  agent.on('pageerror', (e) => errors.push(`agent: ${String(e)}`));
  await agent.goto(`${server.base}/agent`);
  // Nothing is visible before signing in.
  expect(await agent.locator('[data-testid="agent-queue"]').isVisible()).toBe(false);
  await agent.fill('[data-testid="agent-token"]', 'not-a-real-token-at-all');
  await agent.click('#signin-submit');
  await agent.waitForSelector('#signin-error:not([hidden])');
  await agent.fill('[data-testid="agent-token"]', TEST_AGENTS.a01.token);
  await agent.click('#signin-submit');
  await agent.waitForSelector('[data-testid="agent-connection"][data-state="open"]', { timeout: 30_000 });
  await agent.waitForSelector('[data-testid="queue-item"]', { timeout: 30_000 });
  await agent.click('[data-testid="queue-item"] [data-testid="claim"]');
  await agent.waitForSelector('[data-testid="mine-item"]', { timeout: 30_000 });

  // The masked context and transcript; never a full card, ID or phone number.
  await untilShows(agent, '[data-testid="agent-context"]', ZHANG.maskedCard);
  await untilShows(agent, '[data-testid="agent-context"]', ZHANG.maskedPhone);
  await untilShows(agent, '[data-testid="agent-transcript"]', ZHANG.maskedCard);
  const seen = await agent.locator('body').innerText();
  for (const secret of [ZHANG.card, ZHANG.id, ZHANG.national]) expect(seen).not.toContain(secret);

  // The customer hears who joined.
  await customer.waitForSelector('[data-testid="handoff-status"][data-status="withAgent"]', { timeout: 30_000 });
  await untilShows(customer, CHAT, TEST_AGENTS.a01.name);

  // --- Agent → customer.
  await agent.fill('[data-testid="agent-reply"]', '您好，我是客服王丽。您的原号码还能收到短信吗？');
  await agent.click('[data-testid="agent-send"]');
  await untilShows(customer, CHAT, '您的原号码还能收到短信吗？');

  // --- Customer → agent; markup arrives as text and never runs.
  await send(customer, '能收到的，谢谢 <img src=x onerror="window.__pwned=1">');
  await untilShows(agent, '[data-testid="agent-transcript"]', '能收到的，谢谢 <img src=x onerror="window.__pwned=1">');
  expect(await agent.evaluate(() => (globalThis as Record<string, unknown>)['__pwned'])).toBeUndefined();
  expect(await agent.locator('[data-testid="agent-transcript"] img').count()).toBe(0);
  await agent.screenshot({ path: join(ARTIFACTS, 'handoff-2-agent-console.png') });
  await customer.screenshot({ path: join(ARTIFACTS, 'handoff-3-customer-with-agent.png') });

  // --- Back to the bot, which asks for a rating.
  await agent.click('[data-testid="agent-handback"]');
  await untilExpecting(customer, 'rating');
  await customer.waitForSelector('[data-testid="handoff-status"][hidden]', { state: 'attached', timeout: 30_000 });
  await customer.locator(`${CHAT} button`, { hasText: '5分 非常满意' }).first().click();
  await untilShows(customer, CHAT, '感谢您的评价');
  await customer.screenshot({ path: join(ARTIFACTS, 'handoff-4-customer-rated.png') });

  expect(errors).toEqual([]);
  // docs/people.md shows the console: docs/agent-console.png is copied from this one.
  copyFileSync(join(ARTIFACTS, 'handoff-2-agent-console.png'), join(ARTIFACTS, 'latest-agent-console.png'));
});
