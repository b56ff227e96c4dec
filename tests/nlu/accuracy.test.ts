import { evaluateNlu } from '../../services/understanding/evaluate';
import { NLU_CACHE } from '../support/harness';

/**
 * Keeps understanding from getting worse: accuracy on the held-out test split of
 * content/nlu/labelled.json must stay above floors set from the measured figures (docs/understanding.md). The
 * overall floor is the figure before the understanding layer was rebuilt (87.7%): it may not drop
 * below it. The shared corpus of real customer messages has its floors in `npm run eval:nlu -- --check`.
 */
const FLOOR = { overall: 0.877, 'zh-CN': 0.86, 'en-US': 0.88 };
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
