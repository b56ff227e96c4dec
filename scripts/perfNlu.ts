/**
 * `npm run perf:nlu`: how long understanding takes to be ready, and per message.
 *  - cold start with no cached model (trains), in a fresh process;
 *  - cold start with the cached model (what every later start does), in a fresh process;
 *  - time per message over the whole labelled corpus (both languages) and, when it is beside the
 *    repo, the shared corpus of real customer messages (longer sentences), after warm-up.
 * Figures only: nothing here is asserted (speed targets are measured, not unit-tested).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import contentZh from '../content/zh-CN.json';
import contentEn from '../content/en-US.json';
import {
  buttonLabelsFrom,
  createKeywordRecognizer,
  createNlpClassifier,
  createNluRecognizer,
  labelledExamples,
  topicTitlesFrom,
  trainingSet,
} from '../services/understanding';
import { loadNluDev } from './nluDevCorpus';

const ROUNDS = 5;

/** In a child process: load modules, get the classifier (from `dir`), answer one message; print ms. */
async function child(dir: string): Promise<void> {
  const started = performance.now();
  const classifier = await createNlpClassifier({ training: trainingSet(), cacheDir: dir });
  await classifier.classify('zh-CN', '验证码收不到');
  process.stdout.write(JSON.stringify({ ms: Math.round(performance.now() - started), from: classifier.origin.from }));
}

function coldStart(dir: string): { ms: number; from: string; processMs: number } {
  const started = performance.now();
  const r = spawnSync(process.execPath, [...process.execArgv, __filename, '--child', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { ms: number; from: string };
  return { ...out, processMs: Math.round(performance.now() - started) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rebind-nlu-perf-'));
  try {
    const trained = coldStart(dir);
    const cached = coldStart(dir);

    const classifier = await createNlpClassifier({ training: trainingSet(), cacheDir: dir });
    const recognizer = createNluRecognizer({
      classifier,
      keywords: createKeywordRecognizer({
        buttonLabels: buttonLabelsFrom([contentZh, contentEn]),
        topicTitles: topicTitlesFrom([contentZh, contentEn]),
      }),
    });
    const texts = [
      ...labelledExamples.map((e) => ({ text: e.text, locale: e.locale })),
      ...(loadNluDev() ?? []).map((r) => ({ text: r.text, locale: r.locale })),
    ];
    for (const t of texts) await recognizer.recognize(t.text, { locale: t.locale }); // warm-up
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const t of texts) {
        const s = performance.now();
        await recognizer.recognize(t.text, { locale: t.locale });
        times.push(performance.now() - s);
      }
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    const lines = [
      'Understanding: start-up and time per message (jieba + nlp.js + keywords, scope and task rules)',
      `  cold start, no cached model (trains):  ${trained.ms} ms ready (${trained.processMs} ms whole process)`,
      `  cold start, cached model:              ${cached.ms} ms ready (${cached.processMs} ms whole process)`,
      `  per message (${times.length} = ${texts.length} messages × ${ROUNDS}): mean ${mean.toFixed(3)} ms, ` +
        `p50 ${at(0.5).toFixed(3)} ms, p99 ${at(0.99).toFixed(3)} ms, max ${at(1).toFixed(3)} ms`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const i = process.argv.indexOf('--child');
(i >= 0 ? child(process.argv[i + 1] as string) : main()).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
