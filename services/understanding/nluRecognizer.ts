import type { Recognition, Recognizer, RecognizerContext } from '../../domain/recognizer';
import type { Intent } from '../../domain/intent';
import type { Locale } from '../../domain/locale';
import { DATA_QUESTIONS, YES_NO_QUESTIONS, type KeywordRecognizer } from './keywordRecognizer';
import type { Classifier, Ranked } from './nlpClassifier';
import { normalizeText } from './normalizeText';

/** Confidence thresholds, set from the evaluation figures (`npm run eval:nlu`). */
export interface NluThresholds {
  /** Below this the model's best guess is not taken. */
  accept: number;
  /** A topic at least this sure is answered outright; below it, close rivals are offered. */
  sure: number;
  /** A rival topic at least this likely is offered alongside the best one. */
  rival: number;
}

export const DEFAULT_THRESHOLDS: NluThresholds = { accept: 0.5, sure: 0.7, rival: 0.15 };

/** Digits enough for a phone, card or ID number (a 6-digit code is not one). */
const CARRIES_NUMBER = 7;

/** A command this short is taken as said, whatever else the model hears in it. */
const SHORT_COMMAND = 6;

/** What the keyword layer decides on its own: explicit commands and offered labels. */
const COMMANDS = new Set<Intent>(['cancel', 'restart', 'handoff', 'complaint']);

/** The intents the model is trained on: the labels of content/nlu/training.json besides `faq.<topic>`. */
export const TRAINED_INTENTS: readonly Intent[] = [
  'changePhone',
  'handoff',
  'complaint',
  'cancel',
  'restart',
  'help',
  'greeting',
  'thanks',
  'goodbye',
  'affirm',
  'deny',
  'resend',
  // Out of scope: what the bot does not do (balance, loans, weather…), so the model can say so.
  'none',
];
const MODEL_INTENTS = new Set<Intent>(TRAINED_INTENTS);

/** The language a message is written in: any Chinese character makes it Chinese. */
export function scriptLocale(text: string, fallback: Locale): Locale {
  if (/\p{Script=Han}/u.test(text)) return 'zh-CN';
  if (/[A-Za-z]/.test(text)) return 'en-US';
  return fallback;
}

function fromLabel(label: string): Recognition | undefined {
  if (label.startsWith('faq.')) return { intent: 'faq', faqId: label.slice(4) };
  return MODEL_INTENTS.has(label as Intent) ? { intent: label as Intent } : undefined;
}

/**
 * Understanding in two layers. Keywords decide what must never be guessed: an offered button or
 * topic, an explicit command (cancel, start over, a person, a complaint), a number typed at a
 * question, yes/no at a yes/no question. Everything else goes to the trained model (nlp.js); when
 * it is unsure between topics, the likeliest few are returned as candidates; when it has nothing,
 * the keywords' guess stands.
 */
export function createNluRecognizer({
  classifier,
  keywords,
  thresholds = DEFAULT_THRESHOLDS,
}: {
  classifier: Classifier;
  keywords: KeywordRecognizer;
  thresholds?: NluThresholds;
}): Recognizer {
  return {
    async recognize(input: string, context: RecognizerContext): Promise<Recognition> {
      const classify = async (text: string): Promise<Ranked[]> =>
        (await classifier.classify(scriptLocale(text, context.locale), text)).filter((r) => r.label !== 'None');
      const kw = keywords.recognize(input, context);
      if (kw.source === 'label') return kw;
      const text = normalizeText(input);
      if (text.text === '') return { intent: 'none' };
      if (COMMANDS.has(kw.intent)) {
        // "转人工" is a command; "人工几点上班" is a question that happens to name one.
        if (text.hanCount + text.wordCount <= SHORT_COMMAND) return kw;
        const [top] = await classify(text.text);
        return top && top.label.startsWith('faq.') && top.score >= thresholds.sure ? (fromLabel(top.label) ?? kw) : kw;
      }
      const { expecting } = context;
      const yesNo = expecting !== undefined && YES_NO_QUESTIONS.has(expecting);
      if (expecting === 'otp' && kw.intent === 'resend') return kw;
      if (expecting !== undefined && kw.intent === 'help') return kw;
      if (yesNo && (kw.intent === 'affirm' || kw.intent === 'deny')) return kw;
      // Numbers are data for the chart to read, not words for the model.
      const { digitCount, letterCount, hanCount } = text;
      const mostlyDigits = digitCount > 0 && digitCount * 2 >= digitCount + letterCount + hanCount;
      if (mostlyDigits || (expecting !== undefined && DATA_QUESTIONS.has(expecting) && text.longestDigitRun >= 4)) {
        return kw;
      }

      const ranked = await classify(text.text);
      const best = ranked[0];
      const guess = best && best.score >= thresholds.accept ? fromLabel(best.label) : undefined;
      if (!best || !guess) return kw;
      // A message carrying a card or phone number gives details; it does not ask a question. The
      // chart reads the numbers (e.g. "actually the new number is …" at the confirm step).
      if (text.digitCount >= CARRIES_NUMBER && (guess.intent === 'faq' || guess.intent === 'help')) {
        return { intent: 'none' };
      }
      // Yes and no answer yes/no questions only; elsewhere the words' own meaning ("收不到" at a code
      // prompt: the code did not come) is the better reading.
      if (!yesNo && (guess.intent === 'affirm' || guess.intent === 'deny') && kw.intent !== 'none') return kw;

      if (guess.intent === 'faq' && best.score < thresholds.sure) {
        const rivals = ranked
          .slice(1)
          .filter((r) => r.label.startsWith('faq.') && r.label !== 'faq.menu' && r.score >= thresholds.rival)
          .slice(0, 2)
          .map((r) => r.label.slice(4));
        if (rivals.length > 0) return { intent: 'faq', faqId: guess.faqId, candidates: [guess.faqId as string, ...rivals] };
      }
      return guess;
    },
  };
}
