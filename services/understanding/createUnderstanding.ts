import contentZh from '../../content/zh-CN.json';
import contentEn from '../../content/en-US.json';
import type { Recognizer } from '../../domain/recognizer';
import { buttonLabelsFrom, topicTitlesFrom } from './buttonLabels';
import { createKeywordRecognizer } from './keywordRecognizer';
import { createNlpClassifier, type Classifier } from './nlpClassifier';
import { createNluRecognizer, type NluThresholds } from './nluRecognizer';
import { trainingSet } from './trainingData';

export interface Understanding {
  recognizer: Recognizer;
  classifier: Classifier;
}

/**
 * The recogniser as the bot builds it: the model trained on the content files (or loaded from
 * `cacheDir`), the keyword layer with the locale files' button labels and topic titles. The bot, the
 * evaluation and the speed measurement all build it here, so they measure the same thing.
 */
export async function createUnderstanding(
  options: { cacheDir?: string; thresholds?: NluThresholds } = {},
): Promise<Understanding> {
  const classifier = await createNlpClassifier({ training: trainingSet(), cacheDir: options.cacheDir });
  const labels = buttonLabelsFrom([contentZh, contentEn]);
  const recognizer = createNluRecognizer({
    classifier,
    keywords: createKeywordRecognizer({
      buttonLabels: labels,
      topicTitles: topicTitlesFrom([contentZh, contentEn]),
      notAtConfirm: [...labels.yes, ...labels.no],
    }),
    ...(options.thresholds ? { thresholds: options.thresholds } : {}),
  });
  return { recognizer, classifier };
}
