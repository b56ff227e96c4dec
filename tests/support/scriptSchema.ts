/**
 * The format of a conversation script (tests/scripts/*.yaml), checked with zod. A malformed script
 * fails to load with its file and the path of the bad field, e.g.
 * `tests/scripts/x.yaml: turns[3].expect.expectin: unrecognized key`.
 * The format is documented, with an example, in tests/scripts/README.md.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '../../config';
import type { ActedIntent } from '../../dialogs/types';
import type { Expecting } from '../../domain/expecting';
import type { Intent } from '../../domain/intent';
import type { Locale } from '../../domain/locale';
import type { Outcome } from '../../domain/outcome';
import { checkPlaceholders } from './scriptPlaceholders';

const LOCALES = ['zh-CN', 'en-US'] as const satisfies readonly Locale[];
const EXPECTING = [
  'cardNumber',
  'idNumber',
  'oldPhone',
  'oldPhoneReachable',
  'otp',
  'newPhone',
  'confirm',
  'callbackTime',
  'rating',
] as const satisfies readonly Expecting[];
const OUTCOMES = ['phoneChanged', 'cancelled', 'handedOff', 'locked', 'rejected'] as const satisfies readonly Outcome[];
const ACTED = ['changePhone', 'faq', 'handoff', 'cancel', 'greeting', 'inform', 'none'] as const satisfies readonly ActedIntent[];
const INTENTS = [
  'changePhone',
  'faq',
  'handoff',
  'cancel',
  'restart',
  'help',
  'greeting',
  'thanks',
  'affirm',
  'deny',
  'resend',
  'complaint',
  'goodbye',
  'feedback',
  'none',
] as const satisfies readonly Intent[];

/** The demo customers a script may name (tests/support/demo.ts, from data/demo-bank.json). */
export const CUSTOMER_ALIASES = ['zhang', 'alice', 'li', 'wang', 'zhao'] as const;

/** A string that may hold placeholders (`{{customer.card}}`, `{{code:old}}`…); unknown ones fail at load. */
const templ = () =>
  z.string().superRefine((text, ctx) => {
    for (const problem of checkPlaceholders(text)) ctx.addIssue({ code: 'custom', message: problem });
  });
const oneOrMore = () => z.union([templ(), z.array(templ())]);

/** `90s`, `5m`, `1h`, `2d`, `250ms`, or a number of milliseconds. */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const duration = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d+(ms|s|m|h|d)$/, 'a duration like 90s, 5m, 1h or 2d')
    .transform((text) => {
      const [, n, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(text) ?? [];
      return Number(n) * (UNITS[unit ?? 'ms'] ?? 1);
    }),
]);

/** A field of channelData: the exact value, `null` for "absent", `'*'` for "present, any value". */
const field = <T extends readonly [string, ...string[]]>(values?: T) =>
  z.union([values ? z.enum([...values, '*'] as [string, ...string[]]) : z.string(), z.null()]).optional();

/** The text of a reply or an SMS: a regular expression (`/…/flags` or a bare pattern), or literal checks. */
export const textCheck = z.union([
  templ(),
  z.strictObject({
    match: templ().optional(),
    flags: z.string().regex(/^[imsu]*$/).optional(),
    notMatch: templ().optional(),
    contains: oneOrMore().optional(),
    lacks: oneOrMore().optional(),
  }),
]);
export type TextCheck = z.infer<typeof textCheck>;

/** Button entries: a button name (`agent` → the label of `button.agent`), a key (`faqTitle.fees`) or a label. */
const buttonsCheck = z.union([
  z.array(templ()),
  z.strictObject({ contains: z.array(templ()).optional(), lacks: z.array(templ()).optional() }),
]);

const replyShape = {
  key: field(),
  expecting: field(EXPECTING),
  intent: field(ACTED),
  faqId: field(),
  outcome: field(OUTCOMES),
  reason: field(),
  otpTarget: field(['old', 'new'] as const),
  inputHint: field(['expectingInput', 'acceptingInput', 'ignoringInput'] as const),
  locale: field(LOCALES),
  resendAfterSeconds: z.union([z.number().int().nonnegative(), z.null()]).optional(),
  /** channelData.handoff: the fields given must match (a partial object); `null` for absent. */
  handoff: z.union([z.record(z.string(), z.unknown()), z.null()]).optional(),
  buttons: buttonsCheck.optional(),
  text: textCheck.optional(),
  /** With `key`: the text is the catalogue's text for that key with these parameters (then maybe more lines). */
  params: z.record(z.string(), z.union([templ(), z.number()])).optional(),
};
const paramsNeedKey = (e: { key?: string | null; params?: unknown }, ctx: z.RefinementCtx) => {
  if (e.params !== undefined && (typeof e.key !== 'string' || e.key === '*')) {
    ctx.addIssue({ code: 'custom', path: ['params'], message: '`params` needs the `key` it renders' });
  }
};
export const replyExpectation = z.strictObject(replyShape).superRefine(paramsNeedKey);
export type ReplyExpectation = z.infer<typeof replyExpectation>;

/** The object form: about the last reply, plus `count`, `each` and `some` about all the replies of the turn. */
const turnExpectation = z
  .strictObject({
    ...replyShape,
    count: z.number().int().nonnegative().optional(),
    each: replyExpectation.optional(),
    some: replyExpectation.optional(),
  })
  .superRefine(paramsNeedKey);
export type TurnExpectation = z.infer<typeof turnExpectation>;

const smsCheck = z.union([
  z.number().int().nonnegative(),
  z.strictObject({ count: z.number().int().nonnegative().optional(), last: textCheck.optional() }),
]);

/** State after the turn: the bank, the SMS outbox, the handoff queue. */
const afterChecks = z.strictObject({
  /** The number bound to the customer's card at the bank now (national or +86). */
  boundPhone: templ().optional(),
  /** SMS sent so far: `old` (the customer's number), `new` (the new number), `total`, or a number. */
  sms: z.record(z.string(), smsCheck).optional(),
  queue: z
    .strictObject({
      /** How many tickets wait for a person. */
      waiting: z.number().int().nonnegative().optional(),
      /** This conversation's open ticket (`null`: none). */
      reason: z.union([z.string(), z.null()]).optional(),
      status: z.enum(['waiting', 'withAgent']).optional(),
    })
    .optional(),
  /** The "did this help?" answers recorded so far, per topic (the whole summary). */
  feedback: z
    .array(z.strictObject({ faqId: z.string(), helpful: z.number().int().nonnegative(), notHelpful: z.number().int().nonnegative() }))
    .optional(),
});
export type AfterChecks = z.infer<typeof afterChecks>;

const ACTIONS = ['join', 'say', 'press', 'event'] as const;

const turn = z
  .strictObject({
    /** Replaces the generated part of the test title. */
    name: z.string().min(1).optional(),
    /** Another conversation of the same customer (same harness, bank and outbox); default `main`. */
    conversation: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/).optional(),
    /** Moves the clock before the turn. */
    advance: duration.optional(),
    /** The SMS gateway fails the next N sends. */
    smsFails: z.number().int().positive().optional(),
    /** The activity's locale from this turn on (the customer switches language). */
    locale: z.enum(LOCALES).optional(),
    /** The customer opens the chat (a conversationUpdate). */
    join: z.literal(true).optional(),
    say: templ().optional(),
    /** A button of the last reply that had buttons: its label, its name (`agent`) or its key. */
    press: templ().optional(),
    event: z.strictObject({ name: z.string().min(1), value: z.unknown().optional() }).optional(),
    /** The activity id (a channel's retry sends the same id again). */
    id: z.string().min(1).optional(),
    expect: z.union([turnExpectation, z.array(replyExpectation)]).optional(),
    after: afterChecks.optional(),
  })
  .superRefine((t, ctx) => {
    const actions = ACTIONS.filter((a) => t[a] !== undefined);
    if (actions.length > 1) {
      ctx.addIssue({ code: 'custom', message: `one action per turn, got ${actions.join(' and ')}` });
    }
    if (actions.length === 0) {
      if (t.advance === undefined && t.after === undefined) {
        ctx.addIssue({ code: 'custom', message: `a turn needs one of ${ACTIONS.join(', ')} (or only advance/after)` });
      }
      if (t.expect !== undefined) ctx.addIssue({ code: 'custom', path: ['expect'], message: 'no replies without an action' });
    }
    if (t.id !== undefined && t.say === undefined && t.press === undefined) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: '`id` goes with say or press' });
    }
  });
export type ScriptTurn = z.infer<typeof turn>;

const inlineCustomer = z.strictObject({
  card: z.string().regex(/^\d{12,19}$/, 'card digits'),
  idNumber: z.string().min(1),
  phone: z.string().regex(/^(\+86)?1\d{10}$/, 'a CN mobile, national or +86'),
});

const SETTINGS = new Set(Object.keys(loadConfig({})));

const setup = z.strictObject({
  /** A demo customer (`zhang`, `alice`, `li`, `wang`, `zhao`) or `{ card, idNumber, phone }`. */
  customer: z.union([z.enum(CUSTOMER_ALIASES), inlineCustomer]).default('zhang'),
  /** The new number the customer wants (`{{newPhone}}`). */
  newPhone: z.string().regex(/^(\+86)?1\d{10}$/, 'a CN mobile, national or +86').default('18612345678'),
  /** The clock at the start, ISO 8601 with an offset. Default 2026-11-28T10:00+08:00. */
  clock: z.iso.datetime({ offset: true }).optional(),
  /** Settings (docs/configuration.md) for this script's bot. */
  config: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .superRefine((config, ctx) => {
      for (const name of Object.keys(config)) {
        if (!SETTINGS.has(name)) ctx.addIssue({ code: 'custom', path: [name], message: `unknown setting ${name}` });
      }
    })
    .optional(),
  /** Pins how a sentence is understood (the rest goes to the real recogniser). */
  recognize: z
    .record(
      z.string(),
      z.strictObject({ intent: z.enum(INTENTS), faqId: z.string().optional(), candidates: z.array(z.string()).optional() }),
    )
    .optional(),
});

export const scriptSchema = z.strictObject({
  name: z.string().min(1),
  /** What the script is about (free text, for the reader). */
  about: z.string().optional(),
  locale: z.enum(LOCALES).default('zh-CN'),
  setup: setup.default({ customer: 'zhang', newPhone: '18612345678' }),
  turns: z.array(turn).min(1),
});
export type Script = z.infer<typeof scriptSchema>;

/** A script that cannot be read: the file, and every bad field with its path. */
export class ScriptFormatError extends Error {
  override readonly name = 'ScriptFormatError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length === 1 ? problems[0] : `\n  ${problems.join('\n  ')}`}`);
  }
}

/** `turns[3].expect.key` from zod's path. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  const text = path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
  // Test titles count turns from 1.
  return path[0] === 'turns' && typeof path[1] === 'number' ? `${text} (turn ${path[1] + 1})` : text;
}

/**
 * zod's issues as `path: message` lines. A union that failed says only "Invalid input": the branches
 * the value did not even have the type of are dropped, and the issues of the branch it meant are shown.
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: ReadonlyArray<PropertyKey> = []): string[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const meant = issue.errors.filter((branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (meant.length === 1) return formatIssues(meant[0] ?? [], path);
      const messages = issue.errors.flatMap((branch) => branch.filter((i) => i.path.length === 0).map((i) => i.message));
      if (messages.length > 0) return [`${formatPath(path) || '(top)'}: ${[...new Set(messages)].join(', or ')}`];
    }
    return [`${formatPath(path) || '(top)'}: ${issue.message}`];
  });
}

/** Parses and checks a script's YAML text; `file` names it in errors. */
export function parseScript(text: string, file: string): Script {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw new ScriptFormatError(file, doc.errors.map((e) => e.message.split('\n')[0] ?? e.message));
  const result = scriptSchema.safeParse(doc.toJS());
  if (!result.success) {
    throw new ScriptFormatError(file, formatIssues(result.error.issues));
  }
  return result.data;
}

export function loadScript(file: string): Script {
  return parseScript(readFileSync(file, 'utf8'), file);
}
