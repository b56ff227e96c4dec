/**
 * Understanding time per utterance of the bench's conversation, in this process: the recogniser
 * built as the composition root builds it (server/createServices.ts: nlp.js classifier + keyword
 * layer), then the details parser the chart runs on the same words (dialogs/changePhone/).
 * Also prepares the cached language model every bot under test then loads from its DATA_DIR.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import contentZh from '../content/zh-CN.json';
import contentEn from '../content/en-US.json';
import type { Expecting } from '../domain/expecting';
import {
  buttonLabelsFrom,
  createKeywordRecognizer,
  createNlpClassifier,
  createNluRecognizer,
  extractDetails,
  topicTitlesFrom,
  trainingHash,
  trainingSet,
} from '../services/understanding';
import { changeScript } from './load';
import type { BenchCustomer } from './seed';

export interface UnderstandingFigures {
  /** Getting the language model: `trained` (no cache yet) or `cache`, ms. */
  model: { from: 'cache' | 'trained'; ms: number };
  /** Per utterance of the conversation: recogniser and details parser, µs (mean over many runs). */
  perUtterance: Array<{ text: string; expecting?: string; recognizeUs: number; detailsUs: number }>;
  /** Mean over the conversation's utterances, µs. */
  meanUs: { recognize: number; details: number; total: number };
}

/** The model file a bot looks for in its DATA_DIR. */
export function modelFileName(): string {
  return `nlu-model-${trainingHash(trainingSet())}.json`;
}

/** Copies the cached model into a bot's data directory, so its start loads instead of training. */
export function installModel(cacheDir: string, dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  copyFileSync(join(cacheDir, modelFileName()), join(dataDir, modelFileName()));
}

/** What the bot asked before each message of the script: the recogniser reads words in that light. */
const ASKED: Array<Expecting | undefined> = [
  undefined,
  'cardNumber',
  'idNumber',
  'oldPhone',
  'otp',
  'newPhone',
  'otp',
  'confirm',
];

export async function measureUnderstanding(
  cacheDir: string,
  customer: BenchCustomer,
  { budgetMs = 300 }: { budgetMs?: number } = {},
): Promise<UnderstandingFigures> {
  const classifier = await createNlpClassifier({ training: trainingSet(), cacheDir });
  const labels = buttonLabelsFrom([contentZh, contentEn]);
  const recognizer = createNluRecognizer({
    classifier,
    keywords: createKeywordRecognizer({
      buttonLabels: labels,
      topicTitles: topicTitlesFrom([contentZh, contentEn]),
      notAtConfirm: [...labels.yes, ...labels.no],
    }),
  });
  const messages = changeScript(customer)
    .filter((s) => s.kind !== 'join')
    .map((s, i) => ({ text: s.kind === 'code' ? '520131' : s.value, expecting: ASKED[i] }));

  const perUtterance: UnderstandingFigures['perUtterance'] = [];
  for (const m of messages) {
    const context = { locale: 'zh-CN' as const, ...(m.expecting ? { expecting: m.expecting } : {}) };
    const hint = { ...(m.expecting ? { expecting: m.expecting } : {}), otpTarget: 'old' as const };
    for (let i = 0; i < 50; i += 1) {
      await recognizer.recognize(m.text, context);
      extractDetails(m.text, hint);
    }
    const recognizeUs = await timePerCall(budgetMs, () => recognizer.recognize(m.text, context));
    const detailsUs = await timePerCall(budgetMs / 3, () => extractDetails(m.text, hint));
    perUtterance.push({ text: m.text, ...(m.expecting ? { expecting: m.expecting } : {}), recognizeUs, detailsUs });
  }
  const mean = (f: (u: (typeof perUtterance)[number]) => number) => perUtterance.reduce((n, u) => n + f(u), 0) / perUtterance.length;
  return {
    model: classifier.origin,
    perUtterance,
    meanUs: {
      recognize: mean((u) => u.recognizeUs),
      details: mean((u) => u.detailsUs),
      total: mean((u) => u.recognizeUs + u.detailsUs),
    },
  };
}

/** Calls `f` for about `budgetMs`, in batches; µs per call. */
async function timePerCall(budgetMs: number, f: () => unknown): Promise<number> {
  let calls = 0;
  const started = performance.now();
  while (performance.now() - started < budgetMs) {
    for (let i = 0; i < 20; i += 1) await f();
    calls += 20;
  }
  return ((performance.now() - started) * 1000) / calls;
}
