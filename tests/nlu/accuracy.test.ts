import { evaluateNlu } from '../../services/understanding/evaluate';
import { NLU_CACHE } from '../support/harness';

/**
 * Keeps understanding from getting worse: accuracy on the held-out test split of
 * content/nlu/labelled.json must stay above floors set from the measured figures (README).
 */
const FLOOR = { overall: 0.84, 'zh-CN': 0.82, 'en-US': 0.84 };
/** The commands the bot must never miss. */
const MUST = ['cancel', 'restart', 'handoff', 'complaint', 'affirm', 'deny'];

test('held-out accuracy stays above the floors', async () => {
  const report = await evaluateNlu({ cacheDir: NLU_CACHE });
  expect(report.total).toBeGreaterThan(300);
  expect(report.accuracy).toBeGreaterThanOrEqual(FLOOR.overall);
  expect(report.byLocale['zh-CN']?.accuracy).toBeGreaterThanOrEqual(FLOOR['zh-CN']);
  expect(report.byLocale['en-US']?.accuracy).toBeGreaterThanOrEqual(FLOOR['en-US']);
  for (const label of MUST) expect(report.byLabel[label]?.accuracy).toBeGreaterThanOrEqual(0.9);
});
