/**
 * The words customers put around a number to say what it is ("卡号", "passport"), which phone it is
 * ("原", "新", "from", "to") and that they are correcting themselves ("不对", "actually").
 * Matched against lower-cased ASCII-folded text in which every number is masked (see extractDetails).
 */

export type KindLabel = 'card' | 'id' | 'phone' | 'code';
export type Role = 'old' | 'new';

/**
 * A word and what it means. `adjacent` words are too common to count from afar ("to", "from", "卡",
 * "id"): only when nothing but "是/为/is/:" stands between them and the number.
 */
interface Word<T> {
  value: T;
  pattern: RegExp;
  adjacent?: boolean;
}

/** English words are not glued to other Latin letters. */
function en(words: string): string {
  return `(?<![a-z])(?:${words})(?![a-z])`;
}

function word<T>(value: T, source: string, adjacent = false): Word<T> {
  return { value, pattern: new RegExp(source, 'g'), adjacent };
}

export const KIND_WORDS: ReadonlyArray<Word<KindLabel>> = [
  word<KindLabel>('card', `银行卡|卡号|储蓄卡|借记卡|信用卡|卡片|${en('card')}`),
  word<KindLabel>('card', '(?<!手机|电话|身份证|证件|sim)卡', true),
  word<KindLabel>('id', `身份证|证件|护照|${en('passport|identity|id card|id number|id no')}`),
  word<KindLabel>('id', en('id'), true),
  word<KindLabel>('phone', `手机|电话|${en('phone|mobile|cell|cellphone|tel|telephone')}`),
  word<KindLabel>('code', `验证码|动态码|短信码|校验码|${en('code|otp|one-time|verification')}`),
];

/** "新" but not 重新 (again) or 更新 (update) unless "更新为". */
const NEW_ZH = '(?<![重更])新|更新为|更新成';
const TRANSITION_ZH = '换成|换为|换到|改为|改成|改到|变更为|变更成|更换为|更换成|更改为|更改成|修改为|修改成|变为|变成';
const OLD_ZH = '原(?![因谅])|旧|老(?![师板公婆])|现在的|现在用的|现用|目前的|当前|预留|以前的|之前的';
const NEW_EN = 'new';
const OLD_EN = 'old|current|existing|previous|original|present';
const TRANSITION_EN = 'to|into';
const ARROW = '→|->|=>|⇒|➡|➔';

/** Role words that count anywhere in a clause. */
const STRONG_ROLE_WORDS: ReadonlyArray<Word<Role>> = [
  word<Role>('new', `${NEW_ZH}|${TRANSITION_ZH}|${en(NEW_EN)}`),
  word<Role>('old', `${OLD_ZH}|${en(OLD_EN)}`),
];

export const ROLE_WORDS: ReadonlyArray<Word<Role>> = [
  ...STRONG_ROLE_WORDS,
  word<Role>('new', `${ARROW}|${en(TRANSITION_EN)}`, true),
  word<Role>('old', `从|${en('from')}`, true),
];

/** Between two numbers, a change word makes the first the old one: "A 换成 B", "A to B", "A→B". */
const TRANSITION_BETWEEN = new RegExp(
  `(?:${TRANSITION_ZH}|更新为|更新成|${ARROW}|${en(TRANSITION_EN)})[\\s:：=]*(?:是|为)?[\\s:：]*$`,
);

/** Right after a number: "A是新号码", "A (old)", "A is my new number". */
const TRAILING_ROLE = new RegExp(
  `^\\s*([(（]|是|为|${en('is|was')}|=)?\\s*(?:我的|我|的|${en('my|the|a|an')})?\\s*(?:(${NEW_ZH}|${en(NEW_EN)})|(${OLD_ZH}|${en(OLD_EN)}))`,
);

const CORRECTION = new RegExp(
  [
    '不对|(?<!是)不是|错了|搞错|弄错|写错|输错|打错|填错|说错|更正|纠正|应该是|改一下|重新输入|重输',
    en('actually|sorry|wrong|correction|i meant|i mean|should be|my mistake|my bad|oops|typo'),
  ].join('|'),
  'g',
);

/** Only these may stand between an `adjacent` word and its number. */
const ADJACENT_GAP = /^[\s:：=]*(?:是|为|(?<![a-z])is(?![a-z]))?[\s:：=]*$/;

/** The label nearest the end of `window` (the text just before a number). */
export function labelBefore<T>(window: string, words: ReadonlyArray<Word<T>>): T | undefined {
  let found: T | undefined;
  let foundEnd = -1;
  for (const { value, pattern, adjacent } of words) {
    for (const match of window.matchAll(pattern)) {
      const end = (match.index ?? 0) + match[0].length;
      if (adjacent === true && !ADJACENT_GAP.test(window.slice(end))) continue;
      if (end > foundEnd) {
        found = value;
        foundEnd = end;
      }
    }
  }
  return found;
}

/** The label nearest the start of `window` (the text just after a number); `adjacent` words don't count. */
export function labelAfter<T>(window: string, words: ReadonlyArray<Word<T>>): T | undefined {
  let found: T | undefined;
  let foundStart = Number.POSITIVE_INFINITY;
  for (const { value, pattern, adjacent } of words) {
    if (adjacent === true) continue;
    for (const match of window.matchAll(pattern)) {
      const start = match.index ?? 0;
      if (start < foundStart) {
        found = value;
        foundStart = start;
      }
    }
  }
  return found;
}

/**
 * A role word right after the number ("A是新号码", "A (old)", "A is my new number"), and where it ends
 * (the next number's label starts after it). When another number follows, the word must be tied to
 * this one by "是/is/(": in "old A new B", "new" is B's label.
 */
export function trailingRole(window: string, nextNumberFollows: boolean): { role: Role; end: number } | undefined {
  const match = TRAILING_ROLE.exec(window);
  if (match === null || (nextNumberFollows && match[1] === undefined)) return undefined;
  return { role: match[2] !== undefined ? 'new' : 'old', end: match[0].length };
}

/** The text between two numbers says the first is being changed into the second. */
export function isTransition(between: string): boolean {
  return TRANSITION_BETWEEN.test(between);
}

/** The one role the words of a sentence speak of, if they speak of exactly one. */
export function sentenceRole(sentence: string): Role | undefined {
  const roles = new Set<Role>();
  for (const { value, pattern } of STRONG_ROLE_WORDS) {
    if (new RegExp(pattern.source).test(sentence)) roles.add(value);
  }
  const [only] = [...roles];
  return roles.size === 1 ? only : undefined;
}

/** Where the customer says they are correcting something. */
export function correctionsIn(text: string): number[] {
  return [...text.matchAll(CORRECTION)].map((match) => match.index ?? 0);
}

export function mentionsCode(sentence: string): boolean {
  return KIND_WORDS.some(
    ({ value, pattern }) => value === 'code' && new RegExp(pattern.source).test(sentence),
  );
}
