import { containerBootstrap } from '@nlpjs/core';
import type { NlpInstance } from '@nlpjs/nlp';
import { Nlp } from '@nlpjs/nlp';
import { featurizer, FEATURES_VERSION } from './features';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locale } from '../../domain/locale';

/** Training utterances per label (`changePhone`, `faq.otpWrong`, …), per locale. */
export type TrainingSet = Record<Locale, Record<string, readonly string[]>>;

export interface Ranked {
  label: string;
  score: number;
}

/** A trained text classifier: the labels of a sentence, best first. */
export interface Classifier {
  classify(locale: Locale, text: string): Promise<Ranked[]>;
  /** Where the model came from, and how long it took to have it (ms). */
  readonly origin: { from: 'cache' | 'trained'; ms: number };
}

const NLP_LANG: Record<Locale, string> = { 'zh-CN': 'zh', 'en-US': 'en' };
/** Bump when the way the model is built changes, so cached models are rebuilt. */
const MODEL_FORMAT = 2;

async function newNlp(): Promise<NlpInstance> {
  const container = await containerBootstrap();
  container.use(Nlp);
  // nlp.js's classifier reads our features (features.ts): jieba words, concepts and bigrams.
  const f = featurizer();
  for (const language of ['zh', 'en'] as const) {
    container.register(`normalizer-${language}`, { normalize: (text: string) => text.normalize('NFKC').toLowerCase() }, true);
    container.register(`tokenizer-${language}`, { tokenize: (text: string) => f.features(language, text) }, true);
  }
  container.registerConfiguration(
    'nlu-??',
    {
      keepStopwords: true,
      nonefeatureValue: 1,
      nonedeltaMultiplier: 1.2,
      spellCheck: false,
      spellCheckDistance: 1,
      filterZeros: true,
      log: false,
    },
    true,
  );
  const nlp = container.get('nlp');
  Object.assign(nlp.settings, { autoSave: false, autoLoad: false, calculateSentiment: false, log: false });
  nlp.addLanguage(Object.values(NLP_LANG));
  return nlp;
}

/** A stable fingerprint of the training data: a cached model is used only for the same data. */
export function trainingHash(training: TrainingSet): string {
  const h = createHash('sha256').update(`format:${MODEL_FORMAT}.${FEATURES_VERSION}\n`);
  for (const locale of Object.keys(training).sort() as Locale[]) {
    for (const label of Object.keys(training[locale]).sort()) {
      h.update(`${locale}\t${label}\t${JSON.stringify(training[locale][label])}\n`);
    }
  }
  return h.digest('hex').slice(0, 16);
}

/** nlp.js may print to the console while it trains; our stdout carries JSON log lines only. */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => undefined;
  try {
    return await work();
  } finally {
    console.log = log;
  }
}

/** Models trained in this process, by training hash (tests build many bots from the same data). */
const inProcess = new Map<string, Promise<string>>();

async function train(training: TrainingSet): Promise<string> {
  const nlp = await newNlp();
  await quietly(async () => {
    for (const locale of Object.keys(training) as Locale[]) {
      for (const [label, utterances] of Object.entries(training[locale])) {
        for (const u of utterances) nlp.addDocument(NLP_LANG[locale], u, label);
      }
    }
    await nlp.train();
  });
  return nlp.export(true);
}

/**
 * nlp.js (neural classifier per language) over our features (features.ts), trained on the content
 * files. The trained model is cached in `cacheDir` under the training data's hash, so a start with
 * unchanged data loads it in milliseconds instead of training.
 */
export async function createNlpClassifier({
  training,
  cacheDir,
}: {
  training: TrainingSet;
  cacheDir?: string;
}): Promise<Classifier> {
  const started = performance.now();
  const hash = trainingHash(training);
  const file = cacheDir ? join(cacheDir, `nlu-model-${hash}.json`) : undefined;
  let from: 'cache' | 'trained' = 'cache';
  let model: string | undefined;
  if (file && existsSync(file)) {
    model = readFileSync(file, 'utf8');
  } else {
    let pending = inProcess.get(hash);
    if (!pending) {
      from = 'trained';
      pending = train(training);
      inProcess.set(hash, pending);
    }
    model = await pending;
    if (file) {
      mkdirSync(cacheDir as string, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, model);
      renameSync(tmp, file); // atomic: a concurrent reader sees the whole file or none
    }
  }
  const nlp = await newNlp();
  nlp.import(model);
  // The first sentence of each language warms the pipeline: do it now, not in a customer's turn.
  await quietly(async () => {
    await nlp.process('zh', '你好');
    await nlp.process('en', 'hello');
  });
  const vocabulary = vocabularyOf(training);
  const origin = { from, ms: Math.round(performance.now() - started) };
  return {
    origin,
    async classify(locale, text) {
      // The network answers something for any input, confidently even for words it never saw
      // ("DROP TABLE customers;"): a message mostly made of unknown words gets no reading.
      if (coverage(vocabulary[locale], featurizer().features(NLP_LANG[locale] as 'zh' | 'en', text)) < MIN_COVERAGE) {
        return [{ label: 'None', score: 1 }];
      }
      const r = await nlp.process(NLP_LANG[locale], text);
      return r.classifications.map((c) => ({ label: c.intent, score: c.score }));
    },
  };
}

/** Below this share of known words (word features, not bigrams) the model's reading is not used. */
const MIN_COVERAGE = 0.5;

const isWordFeature = (f: string): boolean => !f.startsWith('~') && !f.includes('_');

/** The word features of the training utterances, per locale. */
function vocabularyOf(training: TrainingSet): Record<Locale, Set<string>> {
  const f = featurizer();
  const out = {} as Record<Locale, Set<string>>;
  for (const locale of Object.keys(training) as Locale[]) {
    const set = new Set<string>();
    for (const utterances of Object.values(training[locale])) {
      for (const u of utterances) for (const w of f.features(NLP_LANG[locale] as 'zh' | 'en', u)) if (isWordFeature(w)) set.add(w);
    }
    out[locale] = set;
  }
  return out;
}

/** The share of a message's word features the model was trained on (1 for a message with none). */
function coverage(vocabulary: Set<string> | undefined, features: string[]): number {
  const words = features.filter(isWordFeature);
  if (!vocabulary || words.length === 0) return 1;
  return words.filter((w) => vocabulary.has(w)).length / words.length;
}
