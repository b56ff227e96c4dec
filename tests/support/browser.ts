import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium: installed by .ci/run when missing; never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots the browser tests leave behind for people to look at. */
export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // playwright gives every launch a fresh, empty profile of its own.
    ],
  });
}

/**
 * axe-core's rule set for our pages: WCAG 2.0 and 2.1, levels A and AA (what a bank's widget must
 * meet), plus Deque's best practices (landmarks, headings, regions: where the two findings
 * were). Not the experimental rules, nor WCAG 2.2 or AAA.
 */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] as const;

/** axe-core from node_modules (never a CDN), read once. */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeReport {
  /** One line per failing element: `rule (impact): selector — what to fix`. */
  violations: string[];
  /** Every rule that ran (passed, failed, incomplete or not applicable), to show the scan was real. */
  rulesRun: string[];
}

interface AxeResult {
  id: string;
  impact?: string | null;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}
interface AxeResults {
  violations: AxeResult[];
  passes: AxeResult[];
  incomplete: AxeResult[];
  inapplicable: AxeResult[];
}

/**
 * Runs axe-core over the whole page as it is now. axe is put in the page through the DevTools
 * protocol (page.evaluate), not as a <script>: our pages' Content-Security-Policy refuses inline
 * scripts, and Playwright's bypassCSP would change the page under test.
 */
export async function runAxe(page: Page): Promise<AxeReport> {
  if ((await page.evaluate('typeof window.axe')) === 'undefined') await page.evaluate(AXE_SOURCE);
  const options = { runOnly: { type: 'tag', values: AXE_TAGS }, resultTypes: ['violations'] };
  const results = (await page.evaluate(`axe.run(document, ${JSON.stringify(options)})`)) as AxeResults;
  return {
    violations: results.violations.flatMap((rule) =>
      rule.nodes.map((node) => `${rule.id} (${rule.impact ?? 'no impact'}): ${node.target.join(' ')} — ${(node.failureSummary ?? '').replace(/\s+/g, ' ')}`),
    ),
    rulesRun: [...results.violations, ...results.passes, ...results.incomplete, ...results.inapplicable].map((rule) => rule.id),
  };
}
