/** Understanding: turns a customer's words into an intent (see domain/recognizer.ts for the port). */
export {
  createKeywordRecognizer,
  defaultKeywords,
  type KeywordCatalog,
  type KeywordIntent,
  type KeywordRecognizer,
  type KeywordRecognizerOptions,
  type LocaleWords,
} from './keywordRecognizer';
export { buttonLabelsFrom, topicTitlesFrom, BUTTON_RECOGNITION, type ButtonLabels } from './buttonLabels';
export { normalizeText, MAX_LOOKED_AT, type NormalizedText, type Token } from './normalizeText';
export { createNlpClassifier, trainingHash, type Classifier, type Ranked, type TrainingSet } from './nlpClassifier';
export { createNluRecognizer, DEFAULT_THRESHOLDS, scriptLocale, TRAINED_INTENTS, type NluThresholds } from './nluRecognizer';
export { labelledExamples, labelOf, trainingSet, type LabelledExample } from './trainingData';
export { extractDetails, type Details, type DetailSlot, type DetailsHint } from '../../domain/details';
export { createUnderstanding, type Understanding } from './createUnderstanding';
