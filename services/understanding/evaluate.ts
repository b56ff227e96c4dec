import type { RecognizerContext } from '../../domain/recognizer';
import type { Expecting } from '../../domain/expecting';
import { createUnderstanding } from './createUnderstanding';
import type { NluThresholds } from './nluRecognizer';
import { labelledExamples, labelOf, type LabelledExample } from './trainingData';

export interface Tally {
  correct: number;
  total: number;
  accuracy: number;
}

export interface NluReport {
  total: number;
  accuracy: number;
  trainMs: number;
  byLocale: Record<string, Tally>;
  byLabel: Record<string, Tally>;
  confusions: Array<{ expected: string; got: string; count: number; example: string }>;
  /** How many answers offered topics instead of one. */
  ambiguous: number;
}

/**
 * Some intents only mean something in reply to a question: they are measured where they are used
 * (yes/no at the confirm question, "resend" at a code prompt, "help" at a question).
 */
const CONTEXT_OF: Partial<Record<string, Expecting>> = {
  affirm: 'confirm',
  deny: 'confirm',
  resend: 'otp',
  help: 'cardNumber',
};

const tally = (): Tally => ({ correct: 0, total: 0, accuracy: 0 });

/** Measures the recogniser on the `test` split (or any examples given). */
export async function evaluateNlu(
  options: { examples?: LabelledExample[]; thresholds?: NluThresholds; cacheDir?: string } = {},
): Promise<NluReport> {
  const examples = options.examples ?? labelledExamples.filter((e) => e.split === 'test');
  const { classifier, recognizer } = await createUnderstanding({
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(options.thresholds ? { thresholds: options.thresholds } : {}),
  });

  const byLocale: Record<string, Tally> = {};
  const byLabel: Record<string, Tally> = {};
  const confusions = new Map<string, { expected: string; got: string; count: number; example: string }>();
  let correct = 0;
  let ambiguous = 0;
  for (const e of examples) {
    const expected = labelOf(e);
    const context: RecognizerContext = { locale: e.locale, expecting: CONTEXT_OF[e.intent] };
    const r = await recognizer.recognize(e.text, context);
    if (r.candidates && r.candidates.length > 1) ambiguous += 1;
    const got = labelOf(r);
    const ok = got === expected;
    for (const [map, key] of [
      [byLocale, e.locale],
      [byLabel, expected],
    ] as const) {
      const t = (map[key] ??= tally());
      t.total += 1;
      if (ok) t.correct += 1;
    }
    if (ok) correct += 1;
    else {
      const k = `${expected}→${got}`;
      const c = confusions.get(k) ?? { expected, got, count: 0, example: e.text };
      c.count += 1;
      confusions.set(k, c);
    }
  }
  for (const t of [...Object.values(byLocale), ...Object.values(byLabel)]) t.accuracy = t.correct / t.total;
  return {
    total: examples.length,
    accuracy: correct / examples.length,
    trainMs: classifier.origin.ms,
    byLocale,
    byLabel,
    confusions: [...confusions.values()].sort((a, b) => b.count - a.count),
    ambiguous,
  };
}
