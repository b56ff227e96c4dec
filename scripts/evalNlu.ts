/**
 * `npm run eval:nlu`: trains the recogniser as the bot does and measures it on the held-out `test`
 * split of content/nlu/labelled.json: accuracy per locale, per intent and per topic, and the main
 * confusions. `--json` prints the figures as JSON (the jest floor test reads the same function).
 */
import { evaluateNlu } from '../services/understanding/evaluate';

async function main(): Promise<void> {
  const report = await evaluateNlu();
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return;
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const out: string[] = [];
  out.push(`NLU evaluation — held-out test split (${report.total} messages), model trained in ${report.trainMs} ms`);
  out.push('');
  out.push(`overall accuracy: ${pct(report.accuracy)}`);
  for (const [locale, r] of Object.entries(report.byLocale)) {
    out.push(`  ${locale}: ${pct(r.accuracy)} (${r.correct}/${r.total})`);
  }
  out.push('');
  out.push('per label (both locales):');
  for (const [label, r] of Object.entries(report.byLabel).sort((a, b) => a[1].accuracy - b[1].accuracy)) {
    out.push(`  ${label.padEnd(24)} ${pct(r.accuracy).padStart(6)}  (${r.correct}/${r.total})`);
  }
  out.push('');
  out.push('main confusions (expected → got):');
  for (const c of report.confusions.slice(0, 15)) {
    out.push(`  ${String(c.count).padStart(3)}  ${c.expected} → ${c.got}   e.g. "${c.example}"`);
  }
  out.push('');
  out.push(`ambiguous (topics offered instead of one answer, counted correct when the right topic is offered first): ${report.ambiguous}`);
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
