/**
 * `npm run eval:nlu`: builds the recogniser as the bot does and measures it on
 *  1. the project's own labelled set: the held-out `test` split of content/nlu/labelled.json
 *     (recogniser level, each intent where it means something);
 *  2. the shared corpus of real customer messages, `../shared/nlu-dev/` beside the repository,
 *     when it is there: the bot's first reply to each message as the first message of a
 *     conversation (recogniser → events → chart → reply), right when its route is in the row's
 *     `accept`.
 * Options: `--check` fails (exit 1) when a figure is below its floor (CI runs this); `--json`
 * prints the figures as JSON; `--misses` lists the corpus rows answered wrongly (for development:
 * read them, never copy them into the project).
 */
import { changePhoneMachine } from '../dialogs/changePhone';
import { offlineMachine } from '../bot/firstReply';
import { createUnderstanding } from '../services/understanding';
import { evaluateNlu } from '../services/understanding/evaluate';
import { loadNluDev, nluDevDir, scoreFirstReplies, type RouteReport } from './nluDevCorpus';

/**
 * Floors, a little under the figures measured when they were set (docs/understanding.md): a change
 * that makes understanding worse does not land.
 */
export const FLOORS = {
  own: { overall: 0.877, 'zh-CN': 0.86, 'en-US': 0.88 },
  nluDev: { 'zh-CN': 0.96, 'en-US': 0.95, whichRate: 0.02 },
} as const;

const pct = (x: number | undefined) => `${((x ?? 0) * 100).toFixed(1)}%`;

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const own = await evaluateNlu();
  const rows = loadNluDev();
  const { recognizer } = await createUnderstanding();
  const machine = offlineMachine(changePhoneMachine);
  const misses: string[] = [];
  const dev: RouteReport | undefined = rows
    ? await scoreFirstReplies(rows, machine, recognizer, (row, got, ok) => {
        if (!ok) misses.push(`${row.locale}\t${row.accept.join(',')}\t→ ${got}\t${row.text}`);
      })
    : undefined;

  if (args.has('--json')) {
    process.stdout.write(JSON.stringify({ own, nluDev: dev ?? null }, null, 2) + '\n');
  } else {
    const out: string[] = [];
    out.push(`NLU evaluation — own labelled set: held-out test split (${own.total} messages), model ready in ${own.trainMs} ms`);
    out.push(`  overall: ${pct(own.accuracy)}`);
    for (const [locale, r] of Object.entries(own.byLocale)) out.push(`  ${locale}: ${pct(r.accuracy)} (${r.correct}/${r.total})`);
    out.push('  per label (both locales), weakest first:');
    for (const [label, r] of Object.entries(own.byLabel).sort((a, b) => a[1].accuracy - b[1].accuracy).slice(0, 12)) {
      out.push(`    ${label.padEnd(24)} ${pct(r.accuracy).padStart(6)}  (${r.correct}/${r.total})`);
    }
    out.push('  ten commonest confusions (expected → got):');
    for (const c of own.confusions.slice(0, 10)) out.push(`    ${String(c.count).padStart(3)}  ${c.expected} → ${c.got}`);
    out.push(`  "which topic?" offered: ${own.ambiguous} of ${own.total} (${pct(own.ambiguous / own.total)})`);
    out.push('');
    if (!dev) {
      out.push(`Shared corpus: ${nluDevDir()} is not there; skipped (its floors are not checked).`);
    } else {
      out.push(`Shared corpus of real customer messages (${nluDevDir()}): the bot's first reply, ${dev.total} messages`);
      out.push(`  overall: ${pct(dev.accuracy)}; "which topic?" on ${dev.which} (${pct(dev.whichRate)})`);
      for (const [locale, r] of Object.entries(dev.byLocale)) {
        out.push(`  ${locale}: ${pct(r.accuracy)} (${r.correct}/${r.total}), "which topic?" ${pct(r.whichRate)}`);
      }
      out.push('  per route (best fit of the row), both locales:');
      for (const [route, r] of Object.entries(dev.byRoute).sort((a, b) => b[1].total - a[1].total)) {
        out.push(`    ${route.padEnd(24)} ${pct(r.accuracy).padStart(6)}  (${r.correct}/${r.total})`);
      }
      out.push('  ten commonest confusions (best fit → got):');
      for (const c of dev.confusions.slice(0, 10)) out.push(`    ${String(c.count).padStart(3)}  ${c.expected} → ${c.got}`);
    }
    process.stdout.write(out.join('\n') + '\n');
    if (args.has('--misses')) process.stdout.write(`\nmisses:\n${misses.join('\n')}\n`);
  }

  if (args.has('--check')) {
    const failures: string[] = [];
    const below = (name: string, value: number | undefined, floor: number) => {
      if ((value ?? 0) < floor) failures.push(`${name} ${pct(value)} < floor ${pct(floor)}`);
    };
    below('own overall', own.accuracy, FLOORS.own.overall);
    below('own zh-CN', own.byLocale['zh-CN']?.accuracy, FLOORS.own['zh-CN']);
    below('own en-US', own.byLocale['en-US']?.accuracy, FLOORS.own['en-US']);
    if (dev) {
      below('nlu-dev zh-CN', dev.byLocale['zh-CN']?.accuracy, FLOORS.nluDev['zh-CN']);
      below('nlu-dev en-US', dev.byLocale['en-US']?.accuracy, FLOORS.nluDev['en-US']);
      if (dev.whichRate > FLOORS.nluDev.whichRate) {
        failures.push(`nlu-dev "which topic?" ${pct(dev.whichRate)} > ceiling ${pct(FLOORS.nluDev.whichRate)}`);
      }
    }
    if (failures.length > 0) {
      process.stderr.write(`eval:nlu below its floors:\n  ${failures.join('\n  ')}\n`);
      process.exit(1);
    }
    process.stdout.write('eval:nlu: every figure is at or above its floor.\n');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
