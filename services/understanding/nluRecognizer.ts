import type { Recognition, Recognizer, RecognizerContext } from '../../domain/recognizer';
import type { Intent } from '../../domain/intent';
import type { Locale } from '../../domain/locale';
import { DATA_QUESTIONS, YES_NO_QUESTIONS, type KeywordRecognizer } from './keywordRecognizer';
import type { Classifier, Ranked } from './nlpClassifier';
import { numberOutOfUse } from '../../domain/details';
import { normalizeText } from './normalizeText';
import { inScope, scopeOf } from './scope';
import {
  asksToChange,
  codeProblem,
  codesToAGoneNumber,
  identityTopic,
  lostPhone,
  numberCompromised,
  stillTheOldNumber,
  unsolicitedCodes,
} from './taskRules';

/** Confidence thresholds, set from the evaluation figures (`npm run eval:nlu`; docs/understanding.md). */
export interface NluThresholds {
  /** Below this the model's best guess is not taken. */
  accept: number;
  /** A topic at least this sure is answered outright, even with no word of the bot's job in it. */
  sure: number;
  /**
   * "Which topic?" only when the runner-up topic is at least this share of the best one: two topics
   * nearly tied. Asking costs the customer a turn, so a clear best topic is answered.
   */
  rival: number;
}

export const DEFAULT_THRESHOLDS: NluThresholds = { accept: 0.5, sure: 0.8, rival: 0.85 };

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

/** Topics about identity checks: one family; between them a best guess beats asking "which?". */
const IDENTITY_TOPICS = new Set(['identityFailed', 'requiredDocuments', 'whyVerify']);
/** Readings more specific than the identity and lost-phone rules: the model's, when it has one. */
const MORE_SPECIFIC = new Set([
  'changePhone', 'handoff', 'complaint', 'faq.otpNotReceived', 'faq.otpWrong', 'faq.otpLimits', 'faq.updateDelay',
  'faq.oldNumberLost', 'faq.accountAbnormal', 'faq.privacy', 'faq.safety', 'faq.numberRejected', 'faq.noticeSms',
]);
const IDENTITY_LABELS = new Set([...IDENTITY_TOPICS].map((id) => `faq.${id}`));
const MORE_SPECIFIC_THAN_LOST = new Set(['changePhone', 'handoff', 'complaint', 'faq.updateDelay', 'faq.otpNotReceived', 'faq.safety']);
const MORE_SPECIFIC_THAN_CODES = new Set(['changePhone', 'handoff', 'complaint', 'faq.updateDelay', 'faq.oldNumberLost', 'faq.safety', 'faq.privacy']);
/** "换绑定的卡", "修改还款卡": changing the card, not the number: another subject. */
const CHANGES_A_CARD_ZH = /((改|换|更换|修改|变更)(一下|下)?(绑定|绑)?的?(还款|借款)?的?(银行)?卡|换卡|改卡)/;
const PHONE_WORD_ZH = /(手机|电话|号码|预留|号)/;
/** Intents that need no word of the bot's job: social turns and a person asked for. */
const SOCIAL = new Set<Intent>(['greeting', 'thanks', 'goodbye']);
/** Words of a short social turn at most; a longer message has content the greeting does not carry. */
const SHORT_SOCIAL = 5;

/** "cancel a payment", "取消借款": cancel with another subject is a request about that, not the command. */
const CANCEL_OBJECT_ZH = /取消(掉|了)?(这笔|那笔|一笔)?(借款|贷款|订单|交易|支付|付款|扣款|转账|还款|分期|自动|预约|挂失|银行卡|信用卡)/;
const CANCEL_OBJECT_EN =
  /\b(cancel|stop|block)\b.{0,30}\b(payment|transfer|transaction|order|standing order|direct debit|subscription|card|cards|contactless|purchase|loan|account)s?\b/;
/** Asking for a person in so many words: a request even inside a long sentence. */
const EXPLICIT_PERSON = /(转人工|找人工|接人工|人工服务|人工客服|要人工|真人|活人|(和|跟|同|找)(你们)?的?(客服|人工|工作人员)|\b(human|real person|talk to|speak to|speak with|talk with|someone|somebody|representative)\b)/;
/** A question about when ("人工几点上班", "are agents online at night"): about hours, not a request. */
const ASKS_WHEN = /(几点|什么时候|时间|周末|晚上|夜里|节假日|上班|下班|\bwhen\b|\bhours\b|\bopen\b|\bweekends?\b|\bnight\b|\bholidays?\b|\bonline\b)/;
/** "stop, I need a human": a person asked for beats the stop that opens the sentence. */
const NEGATED_PERSON = /(不要|不用|不需要|别)(转)?(人工|客服|真人)|\b(no|don't|dont|not)\b.{0,12}\b(human|agent|person)\b/;

/** The model reads "out of scope" but the message names the bot's job: a rival this likely is taken. */
const ANCHORED_RIVAL = 0.05;

/**
 * Understanding in layers. Keywords decide what must never be guessed: an offered button or topic,
 * an explicit command (cancel, start over, a person, a complaint), a number typed at a question,
 * yes/no at a yes/no question. Then, for what customers write freely:
 *  1. scope first — a message naming nothing of this bot's job (and, without a sure topic, another
 *     banking subject or nothing at all) is out of scope: `none`, the honest "I can't do that here";
 *  2. the task before the topic — asking to change the number is `changePhone` unless a specific
 *     problem is named; "changed already, still the old number" is `updateDelay`;
 *  3. the trained model (nlp.js over jieba words, concepts and bigrams) for the rest; "which topic?"
 *     only when two topics are nearly tied, never between the identity topics.
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
      if (typeof input !== 'string') return { intent: 'none' };
      // Normalised once: the keywords read it twice and the model's side once more.
      const text = normalizeText(input);
      const kw = keywords.recognizeNormalized(text, context);
      if (kw.source === 'label') return kw;
      if (text.text === '') return { intent: 'none' };
      const { expecting } = context;
      const words = text.hanCount + text.wordCount;
      const short = words <= SHORT_COMMAND;
      const aPersonAsked = keywords.recognizeNormalized(text, { locale: context.locale }).intent === 'handoff' || namesPerson(text.text);

      let fallback: Recognition | undefined;
      /** The command word turned out to be about something else ("cancel my card"): never the command. */
      let notTheCommand = false;
      if (COMMANDS.has(kw.intent)) {
        // "stop, I need a human": the person, not the stop.
        if ((kw.intent === 'cancel' || kw.intent === 'restart') && aPersonAsked && !NEGATED_PERSON.test(text.text)) {
          return { intent: 'handoff' };
        }
        // "cancel a payment I made", "转账怎么还在等待, stop pending?" are about that other subject: not
        // the cancel command (a first message naming another banking subject never cancels).
        const cancelsSomethingElse =
          kw.intent === 'cancel' &&
          (CANCEL_OBJECT_ZH.test(text.compact) ||
            CANCEL_OBJECT_EN.test(text.text) ||
            (expecting === undefined && !short && scopeOf(text).outside && !inScope(scopeOf(text))));
        // "转人工" is a command; "人工几点上班" is a question that happens to name one.
        if (short && !cancelsSomethingElse && !ASKS_WHEN.test(text.text)) return kw;
        const [top] = await classify(text.text);
        const topicFloor = ASKS_WHEN.test(text.text) ? thresholds.accept : thresholds.sure;
        if (top && top.label.startsWith('faq.') && top.score >= topicFloor) return fromLabel(top.label) ?? kw;
        notTheCommand = cancelsSomethingElse;
        if (expecting !== undefined) {
          // At a question a command word is a command ("算了，不想改了"), unless it cancels something else.
          if (!cancelsSomethingElse) return kw;
        } else if (!cancelsSomethingElse) {
          // A first message: an explicit request for a person or a complaint stands; another command
          // word in a long sentence ("号码不用了", "客服您好，…") is a command only if the model reads it so.
          if (kw.intent === 'complaint' || (kw.intent === 'handoff' && EXPLICIT_PERSON.test(text.text))) return kw;
          if (top?.label === kw.intent) return kw;
          if (kw.intent === 'handoff') fallback = kw;
        }
      }
      const decided = await decide();
      return decided.intent === 'none' && fallback ? fallback : decided;

      // The free-text reading (a function of its own so that a command word can fall back on it).
      async function decide(): Promise<Recognition> {
        const yesNo = expecting !== undefined && YES_NO_QUESTIONS.has(expecting);
        if (expecting === 'otp' && (kw.intent === 'resend' || kw.intent === 'cantReceive')) return kw;
        if (expecting === 'otp' && numberOutOfUse(input) && !numberCompromised(text)) return { intent: 'cantReceive' };
        if (expecting !== undefined && kw.intent === 'help') return kw;
        if (yesNo && (kw.intent === 'affirm' || kw.intent === 'deny')) return kw;
        // Numbers are data for the chart to read, not words for the model.
        const { digitCount, letterCount, hanCount } = text;
        const mostlyDigits = digitCount > 0 && digitCount * 2 >= digitCount + letterCount + hanCount;
        if (mostlyDigits || (expecting !== undefined && DATA_QUESTIONS.has(expecting) && text.longestDigitRun >= 4)) {
          return kw;
        }

        const scope = scopeOf(text);
        let ranked = await classify(text.text);
        // Naming the bot's job (a code, the phone number, identity) yet read as out of scope — the model
        // heard the loan or the payment around it: the likeliest in-scope reading instead.
        if (expecting === undefined && scope.strong && ranked[0]?.label === 'none') {
          const next = ranked.find((r) => r.label !== 'none' && r.score >= ANCHORED_RIVAL);
          if (next) ranked = [{ ...next, score: Math.max(next.score, thresholds.accept) }, ...ranked.filter((r) => r !== next)];
        }
        const best = ranked[0];
        // A message carrying a card or phone number gives details; it does not ask a question. The
        // chart reads the numbers (e.g. "actually the new number is …" at the confirm step).
        if (text.digitCount >= CARRIES_NUMBER && best && (best.label.startsWith('faq.') || best.label === 'help')) {
          return { intent: 'none' };
        }

        // The task before the topic.
        const asksChange = asksToChange(text, scope);
        // …unless the model is sure of something else: a topic, a complaint, a person.
        const sureTopic =
          best !== undefined && best.label !== 'changePhone' && best.label !== 'none' && best.score >= thresholds.sure &&
          (best.label.startsWith('faq.') || COMMANDS.has(best.label as Intent));
        // No code may go to a number in someone else's hands: that comes before any task or topic.
        if (numberCompromised(text)) return { intent: 'compromised' };
        if (stillTheOldNumber(text)) return { intent: 'faq', faqId: 'updateDelay' };
        if (expecting === undefined && asksChange && !(sureTopic && scriptLocale(text.text, context.locale) === 'en-US')) {
          return { intent: 'changePhone' };
        }
        // The rules below give way to a model that is sure of something more specific.
        const modelSays = (labels: ReadonlySet<string>, floor: number) =>
          best !== undefined && labels.has(best.label) && best.score >= floor;
        if (unsolicitedCodes(text)) return { intent: 'faq', faqId: 'safety' };
        if (codesToAGoneNumber(text)) return { intent: 'faq', faqId: 'oldNumberLost' };
        const code = codeProblem(text);
        if (code && !modelSays(MORE_SPECIFIC_THAN_CODES, thresholds.accept)) return { intent: 'faq', faqId: code };
        const family = identityTopic(text);
        if (family && !modelSays(MORE_SPECIFIC, thresholds.accept)) {
          // A failure or a "why" named decides; otherwise a model sure of one of the family may.
          const model = family === 'requiredDocuments' && modelSays(IDENTITY_LABELS, thresholds.sure);
          return { intent: 'faq', faqId: model ? (best as Ranked).label.slice(4) : family };
        }
        if (lostPhone(text) && !modelSays(MORE_SPECIFIC_THAN_LOST, thresholds.accept)) return { intent: 'faq', faqId: 'oldNumberLost' };
        if (CHANGES_A_CARD_ZH.test(text.compact) && !PHONE_WORD_ZH.test(text.compact)) return { intent: 'none' };

        const guess = best && best.score >= thresholds.accept ? fromLabel(best.label) : undefined;
        if (!best || !guess) {
          // Nothing the model is sure of: the keywords' reading if it is in scope, else out of scope.
          if (kw.intent === 'faq' && !inScope(scope)) return { intent: 'none' };
          if (SOCIAL.has(kw.intent) && words > SHORT_SOCIAL) return { intent: 'none' };
          if (kw.intent === 'help' && expecting === undefined && !short) return { intent: 'none' };
          return notTheCommand ? { intent: 'none' } : kw;
        }
        // Yes and no answer yes/no questions only; elsewhere the words' own meaning ("收不到" at a code
        // prompt: the code did not come) is the better reading.
        if (!yesNo && (guess.intent === 'affirm' || guess.intent === 'deny')) {
          if (kw.intent !== 'none') return kw;
          // A sentence is not a bare yes or no: its next reading, if the model has one.
          if (words > SHORT_SOCIAL && expecting === undefined) {
            const next = ranked.find((r) => r.label !== 'affirm' && r.label !== 'deny' && r.score >= thresholds.accept / 2);
            const reading = next ? fromLabel(next.label) : undefined;
            return reading && (inScope(scope) || reading.intent === 'handoff') ? reading : { intent: 'none' };
          }
        }
        // Leaving (cancel, start over) is never guessed: the words say it, or the model is sure.
        if ((guess.intent === 'cancel' || guess.intent === 'restart') && kw.intent !== guess.intent && best.score < thresholds.sure) {
          return { intent: 'none' };
        }
        // At a question that waits for typed data, a command is a command in so many words (the
        // keywords): what the model alone reads as one ("DROP TABLE customers;") is a non-answer.
        if (expecting !== undefined && DATA_QUESTIONS.has(expecting) && COMMANDS.has(guess.intent)) return { intent: 'none' };
        if (expecting !== undefined) return guess.intent === 'faq' ? withRivals(guess, ranked, thresholds) : guess;

        // Scope first (outside a question): no word of this bot's job → out of scope, unless the
        // model is sure of a topic in a message that names no other subject ("要收费吗").
        if (!inScope(scope)) {
          if (guess.intent === 'handoff' || guess.intent === 'complaint') return guess;
          if (SOCIAL.has(guess.intent) || guess.intent === 'cancel' || guess.intent === 'restart') {
            return scope.outside || (SOCIAL.has(guess.intent) && words > SHORT_SOCIAL && kw.intent !== guess.intent)
              ? { intent: 'none' }
              : guess;
          }
          // Another subject named: out of scope, unless it only touches a topic the model is sure of.
          if (scope.outside && !(scope.softOnly && best.score >= thresholds.sure)) return { intent: 'none' };
          if (best.score < thresholds.accept) return { intent: 'none' };
        }
        if (SOCIAL.has(guess.intent) && words > SHORT_SOCIAL) {
          const next = ranked.find((r) => !SOCIAL.has(r.label as Intent) && r.score >= thresholds.accept / 2);
          return (next && fromLabel(next.label)) ?? { intent: 'none' };
        }
        // "help me delete this account": help is asked for at a question, or said alone.
        if (guess.intent === 'help' && !short) return kw.intent !== 'help' ? kw : { intent: 'none' };
        if (guess.intent === 'faq') return withRivals(guess, ranked, thresholds);
        return guess;
      }
    },
  };
}

/** The likeliest topic, with its near-tied rival offered beside it when there is one. */
function withRivals(guess: Recognition, ranked: Ranked[], thresholds: NluThresholds): Recognition {
  const [best] = ranked;
  const faqId = guess.faqId as string;
  if (!best || best.score >= thresholds.sure || faqId === 'menu') return guess;
  const rivals = ranked
    .slice(1, 3)
    .filter((r) => r.label.startsWith('faq.') && r.label !== 'faq.menu' && r.score >= best.score * thresholds.rival)
    .map((r) => r.label.slice(4))
    .filter((id) => !(IDENTITY_TOPICS.has(id) && IDENTITY_TOPICS.has(faqId)));
  return rivals.length > 0 ? { intent: 'faq', faqId, candidates: [faqId, ...rivals] } : guess;
}

/** Asks for a person in words the keyword list may not hold ("someone who can actually help"). */
function namesPerson(text: string): boolean {
  return /\b(human|real person|someone|somebody|agent|representative)\b/.test(text) || /(人工|真人|客服)/.test(text);
}
