import training from '../../content/nlu/training.json';
import labelled from '../../content/nlu/labelled.json';
import type { Intent } from '../../domain/intent';
import type { Locale } from '../../domain/locale';
import type { TrainingSet } from './nlpClassifier';

/** One labelled customer message of content/nlu/labelled.json. */
export interface LabelledExample {
  locale: Locale;
  text: string;
  intent: Intent;
  faqId?: string;
  split: 'train' | 'test';
}

export const labelledExamples = labelled as LabelledExample[];

export const labelOf = (e: Pick<LabelledExample, 'intent' | 'faqId'>): string =>
  e.intent === 'faq' ? `faq.${e.faqId ?? 'menu'}` : e.intent;

/**
 * The model's training data: content/nlu/training.json plus the `train` split of the labelled
 * corpus. Messages labelled `none` are not trained on: 'none' is what the model does not recognise.
 */
export function trainingSet(): TrainingSet {
  const set: TrainingSet = { 'zh-CN': {}, 'en-US': {} };
  const base = training as Record<Locale, Record<string, string[]>>;
  for (const locale of Object.keys(set) as Locale[]) {
    for (const [label, utterances] of Object.entries(base[locale] ?? {})) set[locale][label] = [...utterances];
  }
  for (const e of labelledExamples) {
    if (e.split !== 'train' || e.intent === 'none') continue;
    const label = labelOf(e);
    set[e.locale][label] = [...(set[e.locale][label] ?? []), e.text];
  }
  return set;
}
