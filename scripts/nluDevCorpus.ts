/**
 * The shared development corpus of real customer messages (`../shared/nlu-dev/` beside the repo):
 * read it, and score the bot's first reply to each row. Measuring only: nothing here is trained on
 * or copied into the project (see content/nlu/README.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { firstReply, routeOf } from '../bot/firstReply';
import type { ChangePhoneMachine } from '../dialogs/changePhone';
import type { Recognizer } from '../domain/recognizer';
import type { Locale } from '../domain/locale';

export interface CorpusRow {
  locale: Locale;
  text: string;
  /** Every route a right first reply may take: `changePhone`, `handoff`, `none`, `faq:<id>`. */
  accept: string[];
}

export interface Tally {
  correct: number;
  total: number;
  accuracy: number;
}

export interface RouteReport {
  total: number;
  accuracy: number;
  byLocale: Partial<Record<Locale, Tally & { which: number; whichRate: number }>>;
  /** Per best-fit route (the first of `accept`). */
  byRoute: Record<string, Tally>;
  /** Expected (best fit) → got, commonest first. */
  confusions: Array<{ expected: string; got: string; count: number }>;
  /** First replies that asked "which topic?" (`faqId: which`). */
  which: number;
  whichRate: number;
}

const FILES: Record<Locale, string> = { 'zh-CN': 'zh.jsonl', 'en-US': 'en.jsonl' };

/** Where the corpus is: `../shared/nlu-dev` relative to the repository root. */
export function nluDevDir(repoRoot = resolve(__dirname, '..')): string {
  return resolve(repoRoot, '..', 'shared', 'nlu-dev');
}

/** The corpus rows, or undefined when the corpus is not beside the repository. */
export function loadNluDev(dir = nluDevDir()): CorpusRow[] | undefined {
  if (!existsSync(dir)) return undefined;
  const rows: CorpusRow[] = [];
  for (const [locale, file] of Object.entries(FILES) as Array<[Locale, string]>) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const row = JSON.parse(line) as { text: string; accept: string[] };
      rows.push({ locale, text: row.text, accept: row.accept });
    }
  }
  return rows;
}

const tally = (): Tally => ({ correct: 0, total: 0, accuracy: 0 });

/** Scores the bot's first reply to each row: right when its route is one of the row's `accept`. */
export async function scoreFirstReplies(
  rows: readonly CorpusRow[],
  machine: ChangePhoneMachine,
  recognizer: Recognizer,
  onRow?: (row: CorpusRow, got: string, ok: boolean) => void,
): Promise<RouteReport> {
  const byLocale: RouteReport['byLocale'] = {};
  const byRoute: Record<string, Tally> = {};
  const confusions = new Map<string, { expected: string; got: string; count: number }>();
  let correct = 0;
  let which = 0;
  for (const row of rows) {
    const got = routeOf(await firstReply(machine, recognizer, row.text, row.locale));
    const ok = row.accept.includes(got);
    const expected = row.accept[0] ?? 'none';
    const locale = (byLocale[row.locale] ??= { ...tally(), which: 0, whichRate: 0 });
    const route = (byRoute[expected] ??= tally());
    for (const t of [locale, route]) {
      t.total += 1;
      if (ok) t.correct += 1;
    }
    if (got === 'faq:which') {
      which += 1;
      locale.which += 1;
    }
    if (ok) correct += 1;
    else {
      const key = `${expected}→${got}`;
      const c = confusions.get(key) ?? { expected, got, count: 0 };
      c.count += 1;
      confusions.set(key, c);
    }
    onRow?.(row, got, ok);
  }
  for (const t of [...Object.values(byLocale), ...Object.values(byRoute)]) t.accuracy = t.total ? t.correct / t.total : 0;
  for (const t of Object.values(byLocale)) t.whichRate = t.total ? t.which / t.total : 0;
  return {
    total: rows.length,
    accuracy: rows.length ? correct / rows.length : 0,
    byLocale,
    byRoute,
    confusions: [...confusions.values()].sort((a, b) => b.count - a.count),
    which,
    whichRate: rows.length ? which / rows.length : 0,
  };
}
