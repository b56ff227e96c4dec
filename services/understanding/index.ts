/** Understanding: turns a customer's words into an intent (see dialogs/recognizer.ts for the port). */
export {
  createKeywordRecognizer,
  defaultKeywords,
  type KeywordCatalog,
  type KeywordIntent,
  type KeywordRecognizerOptions,
  type LocaleWords,
} from './keywordRecognizer';
export { buttonLabelsFrom, BUTTON_RECOGNITION, type ButtonLabels } from './buttonLabels';
export { normalizeText, MAX_LOOKED_AT, type NormalizedText, type Token } from './normalizeText';
