import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ButtonName } from '../domain/buttonName';
import type { Expecting } from '../domain/expecting';
import type { Locale } from '../domain/locale';
import type { CardCheck, IdCheck, OtpCheck, PhoneCheck } from '../domain/validation/types';
import type { CallbackTimeCheck } from '../domain/validation/handoffAnswers';
import { TRAINED_INTENTS } from '../services/understanding/nluRecognizer';
import { createCatalog, localeFrom, MissingMessageError, placeholdersOf } from './index';
import enUS from './en-US.json';
import zhCN from './zh-CN.json';

const catalogues: Record<Locale, Record<string, string>> = { 'zh-CN': zhCN, 'en-US': enUS };
const locales = Object.keys(catalogues) as Locale[];
const entries = locales.flatMap((locale) =>
  Object.entries(catalogues[locale]).map(([key, text]) => ({ locale, key, text })),
);

// Exhaustive by type: adding an Expecting, a button or a refusal reason without wording fails to compile
// here, then fails below.
const EXPECTING: Record<Expecting, true> = {
  cardNumber: true,
  idNumber: true,
  oldPhone: true,
  oldPhoneReachable: true,
  otp: true,
  newPhone: true,
  confirm: true,
  callbackTime: true,
  rating: true,
};
const BUTTONS: Record<ButtonName, true> = {
  changePhone: true,
  faq: true,
  agent: true,
  yes: true,
  no: true,
  confirm: true,
  cancel: true,
  resend: true,
  restart: true,
  helpful: true,
  notHelpful: true,
  stopWaiting: true,
  cantReceive: true,
  callbackMorning: true,
  callbackAfternoon: true,
  callbackEvening: true,
  rate5: true,
  rate4: true,
  rate3: true,
  rate2: true,
  rate1: true,
};
type Reason<T> = Extract<T, { ok: false }> extends { reason: infer R extends string } ? R : never;
const REFUSALS: { [E in Expecting]: Record<string, true> } = {
  cardNumber: { empty: true, notDigits: true, length: true, checksum: true } satisfies Record<Reason<CardCheck>, true>,
  idNumber: { empty: true, format: true, checksum: true, birthDate: true } satisfies Record<Reason<IdCheck>, true>,
  oldPhone: { empty: true, format: true, notMobile: true } satisfies Record<Reason<PhoneCheck>, true>,
  newPhone: { empty: true, format: true, notMobile: true, sameAsOld: true } satisfies Record<
    Reason<PhoneCheck> | 'sameAsOld',
    true
  >,
  otp: { empty: true, format: true } satisfies Record<Reason<OtpCheck>, true>,
  oldPhoneReachable: { yesNo: true },
  confirm: { yesNo: true },
  callbackTime: { empty: true, tooLong: true, notATime: true } satisfies Record<Reason<CallbackTimeCheck>, true>,
  // A rating is never refused: anything else is taken as the customer going on.
  rating: {},
};
/**
 * The knowledge base: each topic has an answer (`faq.<id>`) and a short title for its button
 * (`faqTitle.<id>`). `help` is answered too, but it is an intent of its own, not a topic to offer.
 */
const FAQ_TOPICS = [
  'menu',
  'otpNotReceived',
  'otpWrong',
  'otpLimits',
  'identityFailed',
  'accountAbnormal',
  'numberRejected',
  'updateDelay',
  'oldNumberLost',
  'requiredDocuments',
  'whyVerify',
  'channels',
  'serviceHours',
  'safety',
  'fees',
  'howLong',
  'privacy',
  'foreignNumber',
  'noticeSms',
  'multipleCards',
  'creditCard',
  'onBehalf',
  'undoChange',
  'lostCard',
];
const FAQ_IDS = [...FAQ_TOPICS, 'help'];
/** Said around the answers and the flow: disambiguation, feedback, goodbye, complaints, details noted. */
const CONVERSATION_KEYS = [
  'faq.which',
  'faq.helpfulQuestion',
  'feedback.thanks',
  'feedback.sorry',
  'smalltalk.goodbye',
  'complaint.ack',
  'details.noted',
  'details.corrected',
  'details.codeVoided',
  'noted.card',
  'noted.idNumber',
  'noted.oldPhone',
  'noted.newPhone',
  'fallback.notUnderstood',
  // Said by the turn error handler (server/turnErrorHandler.ts), not by the chart.
  'error.turn',
  'error.unavailable',
];

/**
 * The parameters each message may use: what the chart (or the SMS sender) passes with it. A
 * placeholder outside this table would render as '' (or throw in strict mode).
 */
const PARAMS: Record<string, string[]> = {
  'ask.oldPhoneReachable': ['oldPhone'],
  'ask.otp': ['phone'],
  'ask.confirm': ['card', 'oldPhone', 'newPhone'],
  // Refusals carry the question's own params.
  'invalid.oldPhoneReachable.yesNo': ['oldPhone'],
  'invalid.otp.empty': ['phone'],
  'invalid.otp.format': ['phone'],
  'invalid.confirm.yesNo': ['card', 'oldPhone', 'newPhone'],
  'identity.failed': ['attemptsLeft'],
  'identity.locked': ['minutes'],
  'otp.sent.old': ['phone', 'minutes', 'seconds'],
  'otp.sent.new': ['phone', 'minutes', 'seconds'],
  'otp.cooldown': ['phone', 'seconds'],
  'otp.capped': ['phone', 'minutes'],
  'limit.messages': ['seconds'],
  'limit.identity': ['minutes'],
  'limit.codes': ['minutes'],
  'otp.smsFailed': ['phone'],
  'otp.wrong': ['phone', 'attemptsLeft'],
  'otp.expired': ['phone'],
  'otp.noCode': ['phone'],
  'otp.locked': ['minutes'],
  'error.temporary': ['phone'],
  'change.done': ['card', 'oldPhone', 'newPhone'],
  'handoff.queued': ['ticket', 'position', 'waitMinutes'],
  'handoff.position': ['ticket', 'position', 'waitMinutes'],
  'handoff.stillWaiting': ['ticket', 'position', 'waitMinutes'],
  'handoff.connected': ['agent'],
  'handoff.agentMessage': ['agent', 'text'],
  'handoff.ended.closed': ['agent'],
  'handoff.ended.returned': ['agent'],
  'handoff.transferring': ['ticket'],
  'handoff.afterHours': ['opensAt'],
  'callback.recorded': ['time'],
  'sms.code.old': ['code', 'minutes'],
  'sms.code.new': ['code', 'minutes'],
  'sms.notice.old': ['card', 'newPhone', 'time'],
  'sms.notice.new': ['card', 'oldPhone', 'time'],
  // Filled from configuration; no other knowledge-base answer takes params.
  'faq.otpLimits': ['ttlMinutes', 'resendSeconds', 'maxAttempts', 'lockMinutes', 'maxPerHour', 'maxPerDay'],
  // The value is already masked.
  'noted.card': ['value'],
  'noted.idNumber': ['value'],
  'noted.oldPhone': ['value'],
  'noted.newPhone': ['value'],
};

/** Keys the dialogs emit: literal `key: '…'`, and the static prefix of `key: \`…${…}\``. */
function keysInDialogs(): { literals: string[]; prefixes: string[] } {
  const dir = join(__dirname, '..', 'dialogs');
  const sources = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => readFileSync(join(dir, file), 'utf8'));
  const literals = new Set<string>();
  const prefixes = new Set<string>();
  for (const source of sources) {
    for (const m of source.matchAll(/\bkey:\s*'([^'\n]+)'/g)) literals.add(m[1] ?? '');
    for (const m of source.matchAll(/\bkey:\s*`([^`$\n]*)(\$\{)?[^`\n]*`/g)) {
      (m[2] === undefined ? literals : prefixes).add(m[1] ?? '');
    }
  }
  return { literals: [...literals].sort(), prefixes: [...prefixes].sort() };
}

describe('message catalogues', () => {
  test('zh-CN and en-US have the same keys', () => {
    expect(Object.keys(enUS).sort()).toEqual(Object.keys(zhCN).sort());
  });

  test.each(Object.keys(zhCN))('%s uses the same {params} in both locales', (key) => {
    const zh = placeholdersOf(catalogues['zh-CN'][key] ?? '').sort();
    const en = placeholdersOf(catalogues['en-US'][key] ?? '').sort();
    expect(en).toEqual(zh);
  });

  test('every {param} is one the message is sent with', () => {
    const unknown = entries.flatMap(({ locale, key, text }) =>
      placeholdersOf(text)
        .filter((p) => !(PARAMS[key] ?? []).includes(p))
        .map((p) => `${locale} ${key} {${p}}`),
    );
    expect(unknown).toEqual([]);
  });

  test('no value is empty, and braces appear only as {param}', () => {
    const found = entries
      .filter(({ text }) => text.trim() === '' || /[{}]/.test(text.replace(/\{[A-Za-z][A-Za-z0-9_]*\}/g, '')))
      .map(({ locale, key }) => `${locale} ${key}`);
    expect(found).toEqual([]);
  });

  test('no value holds a full phone, card or ID number (11+ digits in a row)', () => {
    const found = entries.filter(({ text }) => /\d{11,}/.test(text)).map(({ locale, key }) => `${locale} ${key}`);
    expect(found).toEqual([]);
  });

  test('CVV, PIN and passwords are mentioned only to say the bank never asks for them', () => {
    const secret = /\bcvv\d?\b|\bcvc\b|\bpin\b|password|密码|安全码/i;
    const negated = /不会|绝不|请勿|不要|never|don't|do not/i;
    const found = entries
      .filter(({ text }) => secret.test(text) && !negated.test(text))
      .map(({ locale, key }) => `${locale} ${key}`);
    expect(found).toEqual([]);
  });

  test('plain text only: no Markdown emphasis, tables or HTML', () => {
    const found = entries
      .filter(({ text }) => /\*\*|__|^\s*\|.*\|\s*$|<\/?[a-z][^>]*>/im.test(text))
      .map(({ locale, key }) => `${locale} ${key}`);
    expect(found).toEqual([]);
  });
});

describe('every key the chart can emit has wording', () => {
  const { literals, prefixes } = keysInDialogs();
  const keys = Object.keys(zhCN);

  test('the scan found the dialogs', () => {
    expect(literals).toEqual(expect.arrayContaining(['welcome.greeting', 'change.done']));
    expect(prefixes).toEqual(expect.arrayContaining(['ask.', 'invalid.', 'faq.', 'help.', 'otp.sent.']));
  });

  test.each(literals)('%s', (key) => {
    expect(keys).toContain(key);
  });

  test.each(prefixes)('some key starts with %s', (prefix) => {
    expect(keys.some((key) => key.startsWith(prefix))).toBe(true);
  });

  test('each question, its help and each refusal reason', () => {
    const expected = (Object.keys(EXPECTING) as Expecting[]).flatMap((e) => [
      `ask.${e}`,
      `help.${e}`,
      ...Object.keys(REFUSALS[e]).map((reason) => `invalid.${e}.${reason}`),
    ]);
    expect(keys).toEqual(expect.arrayContaining([...expected, 'help.idle']));
  });

  test('each button, each code target and each FAQ topic', () => {
    expect(keys).toEqual(
      expect.arrayContaining([
        ...Object.keys(BUTTONS).map((b) => `button.${b}`),
        'otp.sent.old',
        'otp.sent.new',
        ...FAQ_IDS.map((id) => `faq.${id}`),
        ...CONVERSATION_KEYS,
      ]),
    );
  });
});

describe('the knowledge base', () => {
  const keys = Object.keys(zhCN);
  const topicsIn = (prefix: string) => keys.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));

  test('the topics are exactly the listed ones: an answer each (and help), a title each', () => {
    expect(topicsIn('faq.').filter((id) => !['which', 'helpfulQuestion'].includes(id)).sort()).toEqual(
      [...FAQ_IDS].sort(),
    );
    expect(topicsIn('faqTitle.').sort()).toEqual([...FAQ_TOPICS].sort());
  });

  test('faq.otpLimits uses every limit; no other answer takes params', () => {
    for (const locale of locales) {
      expect(placeholdersOf(catalogues[locale]['faq.otpLimits'] ?? '').sort()).toEqual(
        [...(PARAMS['faq.otpLimits'] ?? [])].sort(),
      );
      const withParams = FAQ_IDS.filter((id) => id !== 'otpLimits').filter(
        (id) => placeholdersOf(catalogues[locale][`faq.${id}`] ?? '').length > 0,
      );
      expect(withParams).toEqual([]);
    }
  });

  test.each(locales)('%s: each answer is 3 to 7 short lines (the menu may list more)', (locale) => {
    const off = FAQ_IDS.filter((id) => id !== 'menu')
      .map((id) => ({ id, lines: (catalogues[locale][`faq.${id}`] ?? '').split('\n') }))
      .filter(({ lines }) => lines.length < 3 || lines.length > 7 || lines.some((l) => l.trim() === ''))
      .map(({ id, lines }) => `${id}: ${lines.length} lines`);
    expect(off).toEqual([]);
  });

  test('titles fit on a button: one line, ≤ 14 characters in Chinese, ≤ 5 words in English, all different', () => {
    const zhTitles = FAQ_TOPICS.map((id) => catalogues['zh-CN'][`faqTitle.${id}`] ?? '');
    const enTitles = FAQ_TOPICS.map((id) => catalogues['en-US'][`faqTitle.${id}`] ?? '');
    expect(zhTitles.filter((t) => [...t].length > 14 || t.includes('\n'))).toEqual([]);
    expect(enTitles.filter((t) => t.split(/\s+/).length > 5 || t.includes('\n'))).toEqual([]);
    expect(new Set(zhTitles).size).toBe(FAQ_TOPICS.length);
    expect(new Set(enTitles.map((t) => t.toLowerCase())).size).toBe(FAQ_TOPICS.length);
  });

  test('a title never repeats a button label, so typing it is never ambiguous', () => {
    for (const locale of locales) {
      const buttons = Object.keys(BUTTONS).map((b) => catalogues[locale][`button.${b}`]);
      const clash = FAQ_TOPICS.filter((id) => buttons.includes(catalogues[locale][`faqTitle.${id}`]));
      expect(clash).toEqual([]);
    }
  });
});

describe('NLU training data (content/nlu/training.json)', () => {
  const path = join(__dirname, 'nlu', 'training.json');
  const INTENTS = TRAINED_INTENTS;
  const FAQ_LABELS = FAQ_TOPICS.map((id) => `faq.${id}`);
  const data = (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {}) as Record<
    string,
    Record<string, unknown>
  >;
  const normal = (u: string) =>
    u
      .toLowerCase()
      .replace(/[\s\p{P}\p{S}]+/gu, '')
      .trim();

  test('has both locales and exactly the expected labels', () => {
    expect(Object.keys(data).sort()).toEqual([...locales].sort());
    for (const locale of locales) {
      expect(Object.keys(data[locale] ?? {}).sort()).toEqual([...INTENTS, ...FAQ_LABELS].sort());
    }
  });

  test.each(locales)('%s: enough non-empty utterances per label (25 per intent, 12 per topic)', (locale) => {
    const short = Object.entries(data[locale] ?? {})
      .map(([label, list]) => ({ label, list: Array.isArray(list) ? list : [] }))
      .filter(({ label, list }) => {
        const ok = list.filter((u): u is string => typeof u === 'string' && u.trim() !== '');
        return ok.length !== list.length || ok.length < (label.startsWith('faq.') ? 12 : 25);
      })
      .map(({ label, list }) => `${label}: ${list.length}`);
    expect(short).toEqual([]);
  });

  test.each(locales)('%s: no sentence twice, in one label or across labels (ignoring case and punctuation)', (locale) => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const [label, list] of Object.entries(data[locale] ?? {})) {
      for (const u of list as string[]) {
        const key = normal(u);
        const first = seen.get(key);
        if (first !== undefined) twice.push(`${u} (${first} / ${label})`);
        else seen.set(key, label);
      }
    }
    expect(twice).toEqual([]);
  });

  test('no digits: numbers are the details parser\'s job', () => {
    const found = locales.flatMap((locale) =>
      Object.values(data[locale] ?? {}).flatMap((list) => (list as string[]).filter((u) => /\d|[０-９]/.test(u))),
    );
    expect(found).toEqual([]);
  });

  test('"算了吧" is a cancel, not a deny', () => {
    expect(data['zh-CN']?.['cancel']).toContain('算了吧');
    expect(data['zh-CN']?.['deny']).not.toContain('算了吧');
  });
});

describe('createCatalog', () => {
  const strict = createCatalog({ strict: true });

  test('renders params as text, in either locale', () => {
    const params = { card: '6222 **** **** 0123', oldPhone: '138****8000', newPhone: '+44 ****3456' };
    for (const locale of locales) {
      const text = strict.render(locale, 'change.done', params);
      expect(text).toContain('6222 **** **** 0123');
      expect(text).toContain('138****8000');
      expect(text).toContain('+44 ****3456');
      expect(text).not.toMatch(/\{\w+\}/);
    }
    expect(strict.render('zh-CN', 'identity.failed', { attemptsLeft: 2 })).toContain('2次');
    expect(strict.render('en-US', 'identity.failed', { attemptsLeft: 0 })).toContain('0 tries');
  });

  test('a value is inserted once, literally: no "$&" patterns, no second expansion', () => {
    // An agent's words go through a template too: they must come out exactly as written.
    expect(strict.render('en-US', 'handoff.agentMessage', { agent: 'Li', text: "$& {agent} $' $`" })).toBe(
      "[Agent Li] $& {agent} $' $`",
    );
  });

  test('has and keys', () => {
    expect(strict.has('en-US', 'ask.cardNumber')).toBe(true);
    expect(strict.has('en-US', 'no.such.key')).toBe(false);
    expect(strict.has('zh-CN', 'constructor')).toBe(false);
    expect(strict.keys('en-US').sort()).toEqual(Object.keys(enUS).sort());
  });

  test('strict: a missing key or param throws MissingMessageError', () => {
    expect(() => strict.render('en-US', 'no.such.key')).toThrow(MissingMessageError);
    expect(() => strict.render('zh-CN', 'constructor')).toThrow(MissingMessageError);
    expect(() => strict.render('zh-CN', 'otp.wrong', { phone: '138****8000' })).toThrow(
      expect.objectContaining({ name: 'MissingMessageError', key: 'otp.wrong', param: 'attemptsLeft' }),
    );
  });

  test('lenient: a missing key falls back to zh-CN, then to the locale\'s error.turn; a missing param is empty', () => {
    const missing: unknown[] = [];
    const lenient = createCatalog({
      onMissing: (m) => missing.push(m),
      messages: {
        'zh-CN': { 'error.turn': '抱歉', only: '仅中文', 'otp.wrong': '验证码不正确，还有{attemptsLeft}次（{phone}）' },
        'en-US': { 'error.turn': 'Sorry', 'otp.wrong': 'Wrong code, {attemptsLeft} left ({phone})' },
      },
    });
    expect(lenient.render('en-US', 'only')).toBe('仅中文');
    expect(lenient.render('en-US', 'no.such.key')).toBe('Sorry');
    expect(lenient.render('zh-CN', 'no.such.key')).toBe('抱歉');
    expect(lenient.render('en-US', 'otp.wrong', { phone: '138****8000' })).toBe('Wrong code,  left (138****8000)');
    expect(missing).toEqual([
      { locale: 'en-US', key: 'only' },
      { locale: 'en-US', key: 'no.such.key' },
      { locale: 'zh-CN', key: 'no.such.key' },
      { locale: 'en-US', key: 'otp.wrong', param: 'attemptsLeft' },
    ]);
    // Default options work too.
    expect(createCatalog().render('en-US', 'button.cancel')).toBe('Cancel');
  });
});

describe('localeFrom', () => {
  test.each([
    ['en-US', 'en-US'],
    ['en', 'en-US'],
    ['EN-gb', 'en-US'],
    [' en-AU ', 'en-US'],
    ['zh-CN', 'zh-CN'],
    ['zh-Hans', 'zh-CN'],
    ['fr-FR', 'zh-CN'],
    ['', 'zh-CN'],
    [undefined, 'zh-CN'],
  ] as const)('%p → %s', (input, expected) => {
    expect(localeFrom(input)).toBe(expected);
  });
});
