/**
 * Property tests: random conversations with the whole bot in-process (real services, memory state,
 * a pinned clock, a recording SMS gateway). Each run is a fresh conversation of up to 25 messages
 * drawn from a weighted vocabulary: the demo customer's right details in several formats, wrong ones,
 * the code actually sent (read when the message is sent), commands, questions, ratings, markup,
 * very long text and random noise. Whatever the customer writes:
 *   1. no turn breaks (no `error.turn`, nothing thrown);
 *   2. no reply shows a secret (full card, ID, current or new number in any common format, a code);
 *   3. the number changes only after the identity check and both codes, on a confirmation at confirm.
 * The seeds are fixed so CI replays the same runs; on failure fast-check prints the seed and path.
 */
import type { Activity } from 'botbuilder';
import fc from 'fast-check';
import { FRESH, LI, ZHANG } from '../support/demo';
import zhCN from '../../content/zh-CN.json';
import enUS from '../../content/en-US.json';
import { cd, createHarness, type Harness } from '../support/harness';

const NUM_RUNS = 100;
const MAX_MESSAGES = 25;
const CONVERSATION_SEED = 20261128;

jest.setTimeout(120_000);

// ---- The vocabulary -----------------------------------------------------------------------------

/** One thing the customer does. Placeholders are resolved when the message is sent. */
type Step =
  | { kind: 'say'; text: string; confirm?: boolean }
  /** The right answer to the question on screen (codes read from the SMS gateway). */
  | { kind: 'right'; variant: number }
  /** The last code actually sent to the current (old) or the new number. */
  | { kind: 'code'; target: 'old' | 'new'; decorate: number }
  /** Time passes before the next message. */
  | { kind: 'wait'; ms: number };

const fullwidth = (s: string) => s.replace(/[0-9A-Za-z+]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
const spaced = (s: string, groups: number[]) => {
  const out: string[] = [];
  let i = 0;
  for (const g of groups) {
    out.push(s.slice(i, i + g));
    i += g;
  }
  if (i < s.length) out.push(s.slice(i));
  return out.filter(Boolean).join(' ');
};

function phoneFormats(national: string): string[] {
  return [
    national,
    spaced(national, [3, 4, 4]),
    `${national.slice(0, 3)}-${national.slice(3, 7)}-${national.slice(7)}`,
    `+86${national}`,
    `+86 ${spaced(national, [3, 4, 4])}`,
    `86${national}`,
    fullwidth(national),
    `我的手机号是${national}`,
    `my number is +86 ${national}`,
  ];
}
const cardFormats = (card: string) => [card, spaced(card, [4, 4, 4, 4]), fullwidth(card), `卡号：${card}`, `card ${spaced(card, [4, 4, 4, 4])}`];
const idFormats = (id: string) => [id, id.toLowerCase(), spaced(id, [6, 8, 4]), fullwidth(id), `身份证号 ${id}`];

const ZHANG_CARDS = cardFormats(ZHANG.card);
const ZHANG_IDS = idFormats(ZHANG.id);
const ZHANG_PHONES = phoneFormats(ZHANG.national);
const FRESH_PHONES = phoneFormats(FRESH.national);

/**
 * Said at the confirm step, these confirm; any other message that changes the number breaks
 * property 3. The answers to the earlier reachability question ("能收到", "Yes, I can") are not
 * here: pressed late at the confirm step they must never confirm a change (this property found
 * that they did; the recogniser now refuses them there).
 */
const CONFIRMATIONS = ['确认', '确认更换', '确定', '是的', '好的', 'confirm', 'Confirm change', 'yes', 'ok'];

const pickFrom = (xs: readonly string[], variant: number) => xs[variant % xs.length] as string;
const say = (text: string): Step => ({ kind: 'say', text });
const words = (xs: readonly string[]) => fc.constantFrom(...xs).map(say);

const rightDetails = fc.oneof(
  fc.constantFrom(...ZHANG_CARDS, ...ZHANG_IDS, ...ZHANG_PHONES, ...FRESH_PHONES).map(say),
  fc.constantFrom(
    `从${ZHANG.national}换成${FRESH.national}`,
    `卡号${ZHANG.card}，身份证${ZHANG.id}，手机${ZHANG.national}`,
    `不对，新号码是 ${FRESH.national}`,
    `actually the new number is +86 ${FRESH.national}`,
    `不对，卡号是 ${ZHANG.card}`,
  ).map(say),
);

const wrongDetails = words([
  LI.card, // valid, someone else's
  '6222021234567890129', // bad checksum
  '622202',
  '6222abc1234',
  LI.id,
  '110105194912310021', // bad check digit
  '11010519491231',
  LI.national,
  '1380013800', // 10 digits
  '23800138000', // not a mobile prefix
  '+1 415 555 0100',
  `不对，卡号是 ${LI.card}`,
  `不对，新号码是 ${ZHANG.national}`, // the current number as the new one
  'abcdefghijk',
]);

const codeArb = fc.record({ kind: fc.constant('code' as const), target: fc.constantFrom('old' as const, 'new' as const), decorate: fc.nat(3) });
const wrongCodes = words(['123456', '000000', '999999', '12345', '1234567', '验证码 654321', '12 34 56']);

const commands = fc.oneof(
  fc.constantFrom(...CONFIRMATIONS).map((text): Step => ({ kind: 'say', text, confirm: true })),
  words([
    '取消', '重新开始', '帮助', '转人工', '不等了', '收不到', '重新发送验证码', '换手机号', '更换绑定手机号',
    '不', '不对', '我要投诉', '你好', '谢谢', '再见', '不等了，返回机器人', '有帮助', '没帮助', '常见问题',
    'cancel', 'start over', 'help', 'talk to a person', 'no', 'resend code', 'change my phone number', 'stop waiting',
    'Yes, I can', "No, I can't", 'hello', 'thanks',
  ]),
);

const questions = words([
  '验证码多久有效', '要收费吗', '收不到验证码怎么办', '旧号码丢了怎么办', '需要带什么证件', '安全吗', '多久生效',
  '可以用国外号码吗', '信用卡也能换吗', '能帮家人换吗', '服务时间', 'how long does it take', 'is it free',
  'I lost my old phone', 'is this safe?', 'what documents do I need',
]);

const ratings = words(['5', '4分', '5分 非常满意', '1分 很不满意', '3', '★★★★★', '0', '6分', '明天上午', '上午（9:00–12:00）', '晚上']);

const oddities = words([
  '', ' ', '   \n\t ', '😀', '👍👍', '🙂 好的', '<b>x</b>', '<script>alert(1)</script>', '<p>yes</p>', '&lt;b&gt;',
  '我的密码是 123456', 'CVV 321', 'PIN 1234', '\u0000', '\u200b', 'ＹＥＳ！', 'null', 'undefined', '{"a":1}',
]);

const huge = fc.constantFrom('x'.repeat(10_240), '啊'.repeat(10_240), '1'.repeat(10_240), `${ZHANG.card} `.repeat(600)).map(say);

const noise = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 30 }), // full unicode (fullUnicodeString in fast-check 3)
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.stringMatching(/^[0-9 +\-]{1,24}$/),
).map(say);

const wait = fc.constantFrom(30_000, 61_000, 6 * 60_000, 31 * 60_000).map((ms): Step => ({ kind: 'wait', ms }));

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.nat(100).map((variant): Step => ({ kind: 'right', variant })), weight: 30 },
  { arbitrary: rightDetails, weight: 8 },
  { arbitrary: wrongDetails, weight: 6 },
  { arbitrary: codeArb, weight: 6 },
  { arbitrary: wrongCodes, weight: 4 },
  { arbitrary: commands, weight: 14 },
  { arbitrary: questions, weight: 5 },
  { arbitrary: ratings, weight: 3 },
  { arbitrary: oddities, weight: 5 },
  { arbitrary: huge, weight: 1 },
  { arbitrary: noise, weight: 6 },
  { arbitrary: wait, weight: 2 },
);

const scenario = fc.record({
  locale: fc.constantFrom('zh-CN', 'en-US'),
  join: fc.boolean(),
  steps: fc.array(step, { minLength: 1, maxLength: MAX_MESSAGES, size: 'max' }),
});

// ---- The harness, shared by every run -------------------------------------------------------------

let h: Harness;
let runNo = 0;
const seen = { turns: 0, phoneChanged: 0, keys: new Set<string>() };

beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => {
  // How deep the walks went (for tuning the weights): PROPERTY_STATS=1 npx jest tests/property
  if (process.env.PROPERTY_STATS) {
    console.log(`conversation property: ${seen.turns} turns, ${seen.phoneChanged} changes, ${seen.keys.size} distinct reply keys`);
  }
  h.dispose();
});

/** Every run starts clean: limits and locks expired, the demo card bound to its own number again. */
async function freshStart(): Promise<void> {
  h.advance(2 * 24 * 60 * 60_000);
  const bound = await h.services.bank.boundPhone(ZHANG.card);
  if (bound !== ZHANG.phone && bound) {
    const who = await h.services.bank.verifyIdentity({ cardNumber: ZHANG.card, idType: 'CN_RESIDENT', idNumber: ZHANG.id, phone: bound });
    if (!who.match) throw new Error('cannot restore the demo card');
    await h.services.bank.changeBoundPhone({
      cardId: who.cardId,
      oldPhone: bound,
      newPhone: ZHANG.phone,
      idempotencyKey: `property-reset-${runNo}`,
      conversationId: 'property-reset',
    });
  }
}

const codeRe = /(\d{6})/;
function lastCodeTo(phone: string, since: number): string | undefined {
  return h.sms.sent
    .slice(since)
    .filter((m) => m.to === phone)
    .map((m) => codeRe.exec(m.text)?.[1])
    .filter((x): x is string => Boolean(x))
    .at(-1);
}

/** What the customer types for a step, given what is on screen. */
function resolve(s: Exclude<Step, { kind: 'wait' }>, screen: Record<string, unknown>, since: number): { text: string; confirm: boolean } {
  if (s.kind === 'say') return { text: s.text, confirm: s.confirm === true };
  if (s.kind === 'code') {
    const code = lastCodeTo(s.target === 'old' ? ZHANG.phone : FRESH.phone, since) ?? '000000';
    return { text: [code, ` ${code} `, `验证码是${code}`, `code: ${code}`][s.decorate] ?? code, confirm: false };
  }
  const target = screen.otpTarget === 'new' ? FRESH.phone : ZHANG.phone;
  const answers: Record<string, () => string> = {
    cardNumber: () => pickFrom(ZHANG_CARDS, s.variant),
    idNumber: () => pickFrom(ZHANG_IDS, s.variant),
    oldPhone: () => pickFrom(ZHANG_PHONES, s.variant),
    oldPhoneReachable: () => pickFrom(['能收到', '能', 'Yes, I can'], s.variant),
    otp: () => lastCodeTo(target, since) ?? '000000',
    newPhone: () => pickFrom(FRESH_PHONES, s.variant),
    confirm: () => pickFrom(CONFIRMATIONS, s.variant),
    callbackTime: () => pickFrom(['明天上午', '下午（13:00–18:00）', 'tomorrow morning'], s.variant),
    rating: () => pickFrom(['5', '4分 满意', '1'], s.variant),
  };
  const expecting = typeof screen.expecting === 'string' ? screen.expecting : '';
  const answer = answers[expecting];
  if (answer) return { text: answer(), confirm: expecting === 'confirm' };
  return { text: pickFrom(['更换绑定手机号', '换手机号', 'change my phone number'], s.variant), confirm: false };
}

// ---- Oracles --------------------------------------------------------------------------------------

/**
 * An activity as one searchable text: everything it carries (text, buttons, channelData…), NFKC
 * (fullwidth digits become ASCII), upper case, and separators between digits removed, so that
 * "138 0013 8000", "138-0013-8000" and "+86 138…" are all found as 13800138000.
 */
function searchable(activity: Partial<Activity>): string {
  return JSON.stringify(activity)
    .normalize('NFKC')
    .toUpperCase()
    .replace(/(?<=\d)[\s\u00a0\-\u2010-\u2015.·/()（）]+(?=\d)/g, '');
}

const CATALOGS: Record<string, Record<string, unknown>> = { 'zh-CN': zhCN, 'en-US': enUS };
const occurrences = (text: string, re: RegExp) => text.match(re)?.length ?? 0;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The secret a reply shows, if any. Some prompts give the demo customer's own ID and number as their
 * example ("例如 110105 19491231 002X"): only occurrences beyond those of the reply's template count.
 */
function secretIn(activity: Partial<Activity>, locale: string, codes: readonly string[]): string | undefined {
  const text = searchable(activity);
  const raw = CATALOGS[locale]?.[String(cd(activity).key)];
  const template = typeof raw === 'string' ? searchable({ text: raw }) : '';
  const secrets: Array<[string, RegExp]> = [
    ['card', new RegExp(ZHANG.card, 'g')],
    ['ID number', new RegExp(ZHANG.id, 'g')],
    ['current number', new RegExp(ZHANG.national, 'g')],
    ['new number', new RegExp(FRESH.national, 'g')],
    ...codes.map((code): [string, RegExp] => [`code ${code}`, new RegExp(`(?<!\\d)${escape(code)}(?!\\d)`, 'g')]),
  ];
  for (const [name, re] of secrets) {
    if (occurrences(text, re) > occurrences(template, re)) return name;
  }
  return undefined;
}

// ---- The properties -------------------------------------------------------------------------------

test('random conversations never break a turn, never show a secret, and change the number only when earned', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async ({ locale, join, steps }) => {
      runNo += 1;
      await freshStart();
      const c = h.conversation(`prop-${runNo}`, locale);
      const chartId = `test/${c.id}`;
      const smsStart = h.sms.sent.length;
      const codesSent = () =>
        h.sms.sent
          .slice(smsStart)
          .map((m) => codeRe.exec(m.text)?.[1])
          .filter((x): x is string => Boolean(x));

      const check = async (replies: Partial<Activity>[], said: { text: string; confirm: boolean } | undefined, screen: Record<string, unknown>) => {
        const codes = codesSent();
        for (const r of replies) {
          const data = cd(r);
          seen.keys.add(String(data.key));
          // 1. the turn did not break
          if (data.key === 'error.turn') throw new Error(`turn failed on ${JSON.stringify(said?.text.slice(0, 80))}`);
          // 2. no secret shown
          const leak = secretIn(r, locale, codes);
          if (leak) throw new Error(`a reply shows the ${leak}: ${JSON.stringify(r.text).slice(0, 300)}`);
          // 3. a change only when earned
          if (data.outcome === 'phoneChanged') {
            seen.phoneChanged += 1;
            const audit = await h.services.audit.list({ conversationId: chartId });
            const types = audit.map((a) => `${a.type}${a.data.purpose ? `:${String(a.data.purpose)}` : ''}`);
            const missing = ['identity.passed', 'code.verified:old', 'code.verified:new'].filter((t) => !types.includes(t));
            if (missing.length > 0) throw new Error(`phoneChanged without ${missing.join(', ')}; audit: ${types.join(' ')}`);
            // In order: a new identity check voids the codes, so the last of each comes after the last check.
            const lastOf = (t: string) => types.lastIndexOf(t);
            if (!(lastOf('identity.passed') < lastOf('code.verified:old') && lastOf('code.verified:old') < lastOf('code.verified:new'))) {
              throw new Error(`phoneChanged after checks out of order; audit: ${types.join(' ')}`);
            }
            if (screen.expecting !== 'confirm') {
              throw new Error(`phoneChanged while the bot was at expecting=${String(screen.expecting)}`);
            }
            if (!said?.confirm) throw new Error(`phoneChanged on ${JSON.stringify(said?.text)}, not a confirmation`);
          }
        }
      };

      let screen: Record<string, unknown> = {};
      if (join) {
        const replies = await c.join();
        await check(replies, undefined, screen);
        screen = cd(replies.at(-1));
      }
      for (const s of steps) {
        if (s.kind === 'wait') {
          h.advance(s.ms);
          continue;
        }
        const said = resolve(s, screen, smsStart);
        const replies = await c.say(said.text);
        seen.turns += 1;
        await check(replies, said, screen);
        if (replies.length > 0) screen = cd(replies.at(-1));
      }
      // Proactive messages (queue updates, a person's words) must not show secrets either.
      const codes = codesSent();
      for (const r of await c.received()) {
        const leak = secretIn(r, locale, codes);
        if (leak) throw new Error(`a proactive message shows the ${leak}`);
      }
    }),
    { seed: CONVERSATION_SEED, numRuns: NUM_RUNS },
  );
  // The "only when earned" checks ran: some conversations changed the number.
  expect(seen.turns).toBeGreaterThan(0);
  expect(seen.phoneChanged).toBeGreaterThan(0);
});
