import defaultKeywordsJson from '../../content/keywords.json';
import type { Recognition, Recognizer, RecognizerContext } from '../../domain/recognizer';
import type { Expecting } from '../../domain/expecting';
import type { Intent } from '../../domain/intent';
import type { Locale } from '../../domain/locale';
import { BUTTON_NAMES, BUTTON_RECOGNITION, type ButtonLabels } from './buttonLabels';
import { normalizeText, type NormalizedText } from './normalizeText';

/** Intents that are found by their words; 'faq' is found by its topics' words, 'none' by nothing. */
export type KeywordIntent = Exclude<Intent, 'faq' | 'none' | 'feedback' | 'compromised'>;

/** Training words of one intent or topic, per locale. */
export type LocaleWords = Partial<Record<Locale, readonly string[]>>;

/** The shape of `content/keywords.json`. */
export interface KeywordCatalog {
  intents: Partial<Record<KeywordIntent, LocaleWords>>;
  /** faqId → words. */
  faq: Readonly<Record<string, LocaleWords>>;
}

export const defaultKeywords: KeywordCatalog = defaultKeywordsJson;

/** The keyword recogniser answers at once. */
export interface KeywordRecognizer extends Recognizer {
  recognize(text: string, context: RecognizerContext): Recognition;
  /** The same, for a message already normalised (`normalizeText`): a caller that reads it more than once normalises it once. */
  recognizeNormalized(text: NormalizedText, context: RecognizerContext): Recognition;
}

export interface KeywordRecognizerOptions {
  keywords?: KeywordCatalog;
  /** Exact button labels (any locale); see `buttonLabelsFrom`. */
  buttonLabels?: ButtonLabels;
  /**
   * Exact texts that never answer the confirm question: the answers to the earlier "does your number
   * get SMS?" question ("能收到", "收不到"), which at the confirm step are an old button pressed late,
   * never a decision about the change.
   */
  notAtConfirm?: readonly string[];
  /** Exact knowledge-base topic titles (offered as buttons when a question is unclear): faqId → titles. */
  topicTitles?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Grammar rather than training words, so kept here: phrases that contain yes/no words without being
 * an answer (A-not-A questions, "I don't know", apologies), and words that turn a sentence around.
 */
const NEUTRAL_WORDS: readonly string[] = [
  '是不是', '是否', '还是', '对不起', '不好意思', '好像', '好不好', '对不对', '行不行', '能不能', '可不可以', '可能',
  '不知道', '不确定', '不清楚', '也许',
  'not sure', "i'm not sure", "don't know", 'dont know', 'no idea', 'maybe',
];
const CONTRAST_WORDS: readonly string[] = ['但是', '可是', '不过', '只是', 'but', 'however'];
/** A yes-word right after one of these is a no: 不能收到, 不好, "not ok". */
const NEGATORS_ZH = new Set(['不', '没', '未', '别', '非']);
const NEGATORS_EN = new Set([
  'not', 'no', 'never', "don't", 'dont', "can't", 'cant', 'cannot', "isn't", "wasn't", "won't", "didn't",
]);

/** Questions whose answer is typed data: a long number there is the answer, not a request. */
export const DATA_QUESTIONS = new Set<Expecting>(['cardNumber', 'idNumber', 'oldPhone', 'newPhone', 'otp']);
/** Yes/no questions: there a yes or no word is the answer. */
export const YES_NO_QUESTIONS = new Set<Expecting>(['oldPhoneReachable', 'confirm']);
/** At "can your old phone still receive texts?", naming these topics answers no. */
const NO_TOPICS_AT_REACHABLE = new Set(['otpNotReceived', 'oldNumberLost']);
/** Digits in a row that make a message the answer to a data question. */
const DATA_RUN = 4;
/** A short message: yes/no words count anywhere, and one-character Chinese words count at all. */
const SHORT_HAN = 6;
const SHORT_WORDS = 3;
/** Hits of one word kept per message (a 500-character "不不不…" needs no more). */
const MAX_HITS_PER_WORD = 16;

/** Every intent a catalogue may train; other keys in `intents` are ignored. */
const KEYWORD_INTENTS = Object.keys({
  changePhone: true,
  handoff: true,
  cancel: true,
  restart: true,
  help: true,
  greeting: true,
  thanks: true,
  affirm: true,
  deny: true,
  resend: true,
  complaint: true,
  goodbye: true,
  cantReceive: true,
} satisfies Record<KeywordIntent, true>) as KeywordIntent[]; // the keys of a Record<KeywordIntent, …>

type Label =
  | { kind: 'intent'; intent: KeywordIntent }
  | { kind: 'faq'; faqId: string }
  | { kind: 'neutral' }
  | { kind: 'contrast' };

interface Keyword {
  label: Label;
  /** Normalised form: compact text for a Chinese word, space-joined tokens for a Latin one. */
  word: string;
  /** Contains Han: matched as a substring of the compact text; otherwise as whole tokens. */
  han: boolean;
  tokens: readonly string[];
}

interface Match {
  keyword: Keyword;
  start: number;
  end: number;
  /** Index of the first token, for Latin words. */
  token?: number;
}

interface CompiledKeywords {
  /** Chinese keywords by their first UTF-16 unit, each list in catalogue order. */
  hanByFirstUnit: Map<string, Keyword[]>;
  byFirstToken: Map<string, Keyword[]>;
  /** Cancel words that are deny words too (不用了): a no at a yes/no question, a cancel elsewhere. */
  cancelAlsoDeny: Set<string>;
}

function compile(catalog: KeywordCatalog): CompiledKeywords {
  const hanByFirstUnit = new Map<string, Keyword[]>();
  const byFirstToken = new Map<string, Keyword[]>();
  const seen = new Set<string>();
  const wordsOf = new Map<KeywordIntent, Set<string>>();

  const add = (label: Label, words: readonly string[]): void => {
    const labelKey = label.kind === 'intent' ? label.intent : label.kind === 'faq' ? `faq:${label.faqId}` : label.kind;
    for (const raw of words) {
      const normalized = normalizeText(raw);
      if (normalized.compact === '') continue;
      const isHan = normalized.hanCount > 0;
      const tokens = normalized.tokens.map((token) => token.text);
      const word = isHan ? normalized.compact : tokens.join(' ');
      const first = tokens[0];
      if (!isHan && first === undefined) continue;
      const key = `${labelKey}\u0000${word}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (label.kind === 'intent') {
        const set = wordsOf.get(label.intent) ?? new Set<string>();
        set.add(word);
        wordsOf.set(label.intent, set);
      }
      const keyword: Keyword = { label, word, han: isHan, tokens };
      if (isHan) {
        const unit = word.charAt(0);
        hanByFirstUnit.set(unit, [...(hanByFirstUnit.get(unit) ?? []), keyword]);
      } else if (first !== undefined) byFirstToken.set(first, [...(byFirstToken.get(first) ?? []), keyword]);
    }
  };

  for (const intent of KEYWORD_INTENTS) {
    const perLocale = catalog.intents[intent] ?? {};
    for (const words of Object.values(perLocale)) add({ kind: 'intent', intent }, words ?? []);
  }
  for (const [faqId, perLocale] of Object.entries(catalog.faq)) {
    for (const words of Object.values(perLocale)) add({ kind: 'faq', faqId }, words ?? []);
  }
  add({ kind: 'neutral' }, NEUTRAL_WORDS);
  add({ kind: 'contrast' }, CONTRAST_WORDS);

  const deny = wordsOf.get('deny') ?? new Set<string>();
  const cancelAlsoDeny = new Set([...(wordsOf.get('cancel') ?? [])].filter((word) => deny.has(word)));
  return { hanByFirstUnit, byFirstToken, cancelAlsoDeny };
}

/**
 * Every keyword in the message: Chinese ones wherever they occur (the first MAX_HITS_PER_WORD
 * occurrences of each, overlaps included), Latin ones as whole tokens. Chinese keywords are looked up
 * by the unit at each position of the message, so a message costs its length, not the catalogue's.
 */
function findMatches(text: NormalizedText, compiled: CompiledKeywords, short: boolean): Match[] {
  const matches: Match[] = [];
  const { compact } = text;
  let hitsOf: Map<Keyword, number> | undefined;
  for (let at = 0; at < compact.length; at++) {
    const candidates = compiled.hanByFirstUnit.get(compact.charAt(at));
    if (candidates === undefined) continue;
    for (const keyword of candidates) {
      if (!compact.startsWith(keyword.word, at)) continue;
      hitsOf ??= new Map();
      const hits = hitsOf.get(keyword) ?? 0;
      if (hits >= MAX_HITS_PER_WORD) continue;
      hitsOf.set(keyword, hits + 1);
      // One character (是, 好, 不, 嗯) is too common to count inside a longer message.
      if (keyword.word.length > 1 || short) matches.push({ keyword, start: at, end: at + keyword.word.length });
    }
  }
  const { tokens } = text;
  for (let index = 0; index < tokens.length; index++) {
    const first = tokens[index];
    const candidates = first === undefined ? undefined : compiled.byFirstToken.get(first.text);
    if (first === undefined || candidates === undefined) continue;
    for (const keyword of candidates) {
      let last = first;
      let ok = true;
      for (let k = 1; k < keyword.tokens.length; k++) {
        const next = tokens[index + k];
        if (next === undefined || !next.joined || next.text !== keyword.tokens[k]) {
          ok = false;
          break;
        }
        last = next;
      }
      if (ok) matches.push({ keyword, start: first.start, end: last.end, token: index });
    }
  }
  return matches;
}

/**
 * Drops every match lying inside a strictly longer one, whatever its label: 不 inside 不能, 好 inside
 * 你好, "no" inside "no sms", 不用了 inside 手机不用了. Matches with the same span all stay.
 */
function dropContained(matches: readonly Match[]): Match[] {
  const sorted = [...matches].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Match[] = [];
  let reach = -1; // furthest end of the earlier spans
  let i = 0;
  while (i < sorted.length) {
    const head = sorted[i];
    if (head === undefined) break;
    let j = i;
    while (j < sorted.length && sorted[j]?.start === head.start && sorted[j]?.end === head.end) j++;
    if (reach < head.end) kept.push(...sorted.slice(i, j));
    reach = Math.max(reach, head.end);
    i = j;
  }
  return kept;
}

function negated(match: Match, text: NormalizedText): boolean {
  if (match.token === undefined) return NEGATORS_ZH.has(text.compact[match.start - 1] ?? '');
  const token = text.tokens[match.token];
  const before = text.tokens[match.token - 1];
  return token !== undefined && before !== undefined && token.joined && NEGATORS_EN.has(before.text);
}

/** The yes or no a message ends on: the last yes/no word after any "but"; a negated yes is a no. */
function yesOrNo(matches: readonly Match[], text: NormalizedText): 'affirm' | 'deny' | undefined {
  let from = 0;
  for (const match of matches) if (match.keyword.label.kind === 'contrast') from = Math.max(from, match.end);
  let answer: { end: number; intent: 'affirm' | 'deny' } | undefined;
  for (const match of matches) {
    const { label } = match.keyword;
    if (label.kind !== 'intent' || match.start < from) continue;
    if (label.intent !== 'affirm' && label.intent !== 'deny') continue;
    const intent = label.intent === 'affirm' && negated(match, text) ? 'deny' : label.intent;
    if (answer === undefined || match.end >= answer.end) answer = { end: match.end, intent };
  }
  return answer?.intent;
}

/** The most specific topic named: the longest matched word, then the earliest. */
function topicOf(matches: readonly Match[]): string | undefined {
  let best: { faqId: string; length: number; start: number } | undefined;
  for (const match of matches) {
    const { label } = match.keyword;
    if (label.kind !== 'faq') continue;
    const length = match.end - match.start;
    if (best === undefined || length > best.length || (length === best.length && match.start < best.start)) {
      best = { faqId: label.faqId, length, start: match.start };
    }
  }
  return best?.faqId;
}

/**
 * A keyword recogniser: normalises the message, then looks for training words (every locale's, as
 * customers mix languages). Order: exact button label; cancel, restart, handoff; resend at a code
 * prompt; help; typed data (a number) is 'none'; yes/no at a yes/no question; FAQ topic;
 * changePhone; resend; thanks; greeting; yes/no in a short message; else 'none'. Pure, no I/O.
 */
export function createKeywordRecognizer({
  keywords = defaultKeywords,
  buttonLabels = {},
  topicTitles = {},
  notAtConfirm = [],
}: KeywordRecognizerOptions = {}): KeywordRecognizer {
  const compiled = compile(keywords);
  const buttons = new Map<string, Readonly<Recognition>>();
  for (const [faqId, titles] of Object.entries(topicTitles)) {
    for (const title of titles) {
      const text = normalizeText(title).text;
      if (text !== '' && !buttons.has(text)) buttons.set(text, { intent: 'faq', faqId });
    }
  }
  for (const name of BUTTON_NAMES) {
    for (const label of buttonLabels[name] ?? []) {
      const text = normalizeText(label).text;
      // The first button to claim a label keeps it (BUTTON_NAMES order): deterministic.
      if (text !== '' && !buttons.has(text)) buttons.set(text, BUTTON_RECOGNITION[name]);
    }
  }
  const stale = new Set(notAtConfirm.map((label) => normalizeText(label).text).filter((text) => text !== ''));

  function recognizeNormalized(text: NormalizedText, context: RecognizerContext): Recognition {
    if (text.text === '') return { intent: 'none' };
    const { expecting } = context;
    const yesNoQuestion = expecting !== undefined && YES_NO_QUESTIONS.has(expecting);
    // Yes/no labels ("收不到") are answers only where a yes/no question is on screen; elsewhere
    // the words mean what they say ("收不到" at a code prompt: the code did not arrive).
    // Final (a label): the model must not read it as a yes either.
    if (expecting === 'confirm' && stale.has(text.text)) return { intent: 'none', source: 'label' };
    const button = buttons.get(text.text);
    // "This number can't get texts" answers a code prompt only.
    const meansHere =
      button !== undefined &&
      (button.intent === 'affirm' || button.intent === 'deny' ? yesNoQuestion : button.intent !== 'cantReceive' || expecting === 'otp');
    if (button !== undefined && meansHere) {
      return { ...button, source: 'label' };
    }

    const dataQuestion = expecting !== undefined && DATA_QUESTIONS.has(expecting);
    const short = text.hanCount <= SHORT_HAN && text.wordCount <= SHORT_WORDS;
    // "Can't receive" words mean something at a code prompt only; elsewhere they must not hide the
    // topic words inside them (号码注销了 holds 号码注销, the old-number topic).
    const found = findMatches(text, compiled, short).filter(
      ({ keyword: { label } }) => expecting === 'otp' || label.kind !== 'intent' || label.intent !== 'cantReceive',
    );
    const matches = dropContained(found);

    const intents = new Set<KeywordIntent>();
    for (const { keyword } of matches) {
      const { label } = keyword;
      if (label.kind !== 'intent') continue;
      if (yesNoQuestion && label.intent === 'cancel' && compiled.cancelAlsoDeny.has(keyword.word)) continue;
      intents.add(label.intent);
    }
    const topic = topicOf(matches);

    if (intents.has('cancel')) return { intent: 'cancel' };
    if (intents.has('restart')) return { intent: 'restart' };
    if (intents.has('complaint')) return { intent: 'complaint' };
    if (intents.has('handoff')) return { intent: 'handoff' };
    if (expecting === 'otp' && intents.has('resend')) return { intent: 'resend' };
    // At a code prompt: the number cannot receive it at all (stopped, lost), not a late code.
    if (expecting === 'otp' && intents.has('cantReceive')) return { intent: 'cantReceive' };
    // Outside a flow "help me change my number" is about the change; inside one, help is for the prompt.
    const specific = topic !== undefined || intents.has('changePhone');
    if (intents.has('help') && (expecting !== undefined || !specific)) return { intent: 'help' };

    const { digitCount, letterCount, hanCount } = text;
    const mostlyDigits = digitCount > 0 && digitCount * 2 >= digitCount + letterCount + hanCount;
    if (mostlyDigits || (dataQuestion && text.longestDigitRun >= DATA_RUN)) {
      if (intents.has('resend')) return { intent: 'resend' };
      if (dataQuestion || yesNoQuestion) return { intent: 'none' };
      if (topic !== undefined) return { intent: 'faq', faqId: topic };
      if (intents.has('changePhone')) return { intent: 'changePhone' };
      return { intent: 'none' };
    }

    if (yesNoQuestion) {
      const answer = yesOrNo(matches, text);
      // "是安全的吗?" asks about a topic; it does not answer the question.
      if (answer !== undefined && !(text.question && topic !== undefined)) return { intent: answer };
      const namesNoTopic = matches.some(
        ({ keyword: { label } }) => label.kind === 'faq' && NO_TOPICS_AT_REACHABLE.has(label.faqId),
      );
      if (expecting === 'oldPhoneReachable' && namesNoTopic) return { intent: 'deny' };
    }

    if (topic !== undefined) return { intent: 'faq', faqId: topic };
    if (intents.has('changePhone')) return { intent: 'changePhone' };
    if (intents.has('resend')) return { intent: 'resend' };
    if (intents.has('thanks')) return { intent: 'thanks' };
    if (intents.has('goodbye')) return { intent: 'goodbye' };
    if (intents.has('greeting')) return { intent: 'greeting' };
    if (short) {
      const answer = yesOrNo(matches, text);
      if (answer !== undefined) return { intent: answer };
    }
    return { intent: 'none' };
  }

  return {
    recognize(input: string, context: RecognizerContext): Recognition {
      if (typeof input !== 'string') return { intent: 'none' };
      return recognizeNormalized(normalizeText(input), context);
    },
    recognizeNormalized,
  };
}
