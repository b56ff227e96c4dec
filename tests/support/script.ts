/**
 * Runs a conversation script (tests/scripts/*.yaml) through the in-process harness, one turn at a time,
 * and says exactly what differs on the turn that fails. No jest here: tests/support/scriptJest.ts makes
 * a jest `describe` of a script, the transcript recorder observes a run, and `runScript` plays a whole
 * script and reports every turn (for the runner's own tests).
 */
import type { Activity } from 'botbuilder';
import { createCatalog } from '../../content';
import type { Locale } from '../../domain/locale';
import { ALICE, LI, WANG, ZHANG, ZHAO } from './demo';
import { cd, createHarness, type Conversation, type Harness, type HarnessOptions } from './harness';
import {
  codesSent,
  e164,
  escapeRegExp,
  national,
  resolvePlaceholders,
  type PlaceholderContext,
  type ScriptCustomer,
} from './scriptPlaceholders';
import type {
  AfterChecks,
  ReplyExpectation,
  Script,
  ScriptTurn,
  TextCheck,
  TurnExpectation,
} from './scriptSchema';

export { loadScript, parseScript, ScriptFormatError, type Script } from './scriptSchema';

const DEMO: Record<string, ScriptCustomer> = Object.fromEntries(
  Object.entries({ zhang: ZHANG, alice: ALICE, li: LI, wang: WANG, zhao: ZHAO }).map(([alias, c]) => [
    alias,
    { card: c.card, idNumber: c.id, phone: c.phone },
  ]),
);

const catalog = createCatalog({ strict: true });

/** Lets a caller see every activity of a run (the transcript recorder). */
export interface ScriptObserver {
  /** What the customer sent, placeholders resolved; `turn` is the script's turn as written. */
  sent?(event: { conversation: string; activity: Partial<Activity>; turn: ScriptTurn; at: number }): void;
  /** The bot's replies to it, then any proactive message that followed. */
  replied?(event: { conversation: string; replies: Partial<Activity>[]; at: number }): void;
}

export interface ScriptRunOptions {
  /** Where the script came from, for messages. */
  file?: string;
  observer?: ScriptObserver;
  /** Milliseconds the clock moves before every turn (the recorder's typing time); default 0. */
  gapMs?: number;
}

/** A turn whose replies were not what the script expects. */
export class TurnFailure extends Error {
  override readonly name = 'TurnFailure';
  constructor(
    readonly title: string,
    readonly problems: string[],
    details: string,
  ) {
    super(`${title}\n${problems.map((p) => `  ✗ ${p}`).join('\n')}\n${details}`);
    // The message says it all: no code frame of the runner under it.
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** A turn after a failed one. */
export class TurnNotRun extends Error {
  override readonly name = 'TurnNotRun';
  constructor(failedTurn: number, failure?: string) {
    super(`not run: turn ${failedTurn} failed${failure ? ` (${failure})` : ''}`);
    this.stack = `${this.name}: ${this.message}`;
  }
}

interface ScriptConversation {
  name: string;
  c: Conversation;
  locale: Locale;
  /** The buttons on screen: those of the latest turn's replies. */
  buttons: string[];
}

const shorten = (text: string, max = 24) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** `turn 3: say "6222…" → ask.idNumber, expecting idNumber`: what a failing test is called. */
export function turnTitle(turn: ScriptTurn, index: number): string {
  const head = `turn ${index + 1}: `;
  if (turn.name) return head + turn.name;
  const parts: string[] = [];
  if (turn.conversation) parts.push(`[${turn.conversation}]`);
  if (turn.advance !== undefined) parts.push(`after ${formatMs(turn.advance)},`);
  if (turn.smsFails) parts.push(`SMS down ×${turn.smsFails},`);
  if (turn.join) parts.push('join');
  else if (turn.say !== undefined) parts.push(`say ${JSON.stringify(shorten(turn.say))}`);
  else if (turn.press !== undefined) parts.push(`press ${JSON.stringify(shorten(turn.press))}`);
  else if (turn.event) parts.push(`event ${turn.event.name}`);
  else parts.push('check');
  const text = parts.join(' ').replace(/,$/, '');
  // The object form names the last reply; with only `some`, the reply it looks for.
  const object: TurnExpectation | undefined = Array.isArray(turn.expect) ? undefined : turn.expect;
  const e: ReplyExpectation | undefined = Array.isArray(turn.expect)
    ? turn.expect.at(-1)
    : object?.key === undefined && object?.some
      ? object.some
      : object;
  const said = [
    typeof e?.key === 'string' ? e.key : undefined,
    typeof e?.expecting === 'string' ? `expecting ${e.expecting}` : undefined,
    e?.expecting === null ? 'no question' : undefined,
    typeof e?.faqId === 'string' ? `faqId ${e.faqId}` : undefined,
    typeof e?.reason === 'string' ? `reason ${e.reason}` : undefined,
    typeof e?.outcome === 'string' ? `outcome ${e.outcome}` : undefined,
  ].filter(Boolean);
  if (said.length === 0 && typeof e?.intent === 'string') said.push(`intent ${e.intent}`);
  if (Array.isArray(turn.expect) && turn.expect.length === 0) said.push('no reply');
  return head + text + (said.length > 0 ? ` → ${said.join(', ')}` : '');
}

function formatMs(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0 && ms >= size) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** One line per reply, for failure messages. */
export function describeReplies(replies: Partial<Activity>[]): string {
  if (replies.length === 0) return '    (no reply)';
  return replies
    .map((r, i) => {
      const data = cd(r);
      const meta = Object.entries(data)
        .filter(([k]) => k !== 'key')
        .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
      const buttons = (r.suggestedActions?.actions ?? []).map((a) => String(a.value));
      return [
        `    ${i + 1}. ${r.type === 'message' ? String(data.key ?? '(no key)') : `[${r.type}${r.name ? ` ${r.name}` : ''}]`}`,
        ...meta,
        buttons.length > 0 ? `buttons=${JSON.stringify(buttons)}` : '',
        r.text ? JSON.stringify(shorten(r.text.replace(/\n/g, ' '), 60)) : '',
      ]
        .filter(Boolean)
        .join('  ');
    })
    .join('\n');
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

/** Deep "has at least these fields" (arrays compared whole). */
function partialMatch(expected: unknown, actual: unknown): boolean {
  if (expected === null || typeof expected !== 'object' || Array.isArray(expected)) {
    return JSON.stringify(expected) === JSON.stringify(actual);
  }
  if (actual === null || typeof actual !== 'object') return false;
  return Object.entries(expected).every(([k, v]) => partialMatch(v, (actual as Record<string, unknown>)[k]));
}

/** Runs one script on its own harness. */
export class ScriptRun {
  readonly titles: string[];
  private h?: Harness;
  private readonly conversations = new Map<string, ScriptConversation>();
  private readonly customer: ScriptCustomer;
  private readonly newPhone: string;
  private next = 0;
  private failedAt?: number;
  private failure?: string;

  constructor(
    readonly script: Script,
    private readonly options: ScriptRunOptions = {},
  ) {
    this.titles = script.turns.map(turnTitle);
    const c = script.setup.customer;
    this.customer = typeof c === 'string' ? (DEMO[c] as ScriptCustomer) : c;
    this.newPhone = script.setup.newPhone;
  }

  get harness(): Harness {
    if (!this.h) throw new Error('the script has not started');
    return this.h;
  }

  private get where(): string {
    return this.options.file ? `(${this.options.file}, "${this.script.name}")` : `("${this.script.name}")`;
  }

  async start(): Promise<void> {
    const { setup } = this.script;
    const recognize = setup.recognize;
    const options: HarnessOptions = {
      ...(setup.clock ? { start: Date.parse(setup.clock) } : {}),
      ...(setup.config
        ? { env: Object.fromEntries(Object.entries(setup.config).map(([k, v]) => [k, String(v)])) }
        : {}),
      ...(recognize
        ? {
            wrapRecognizer: (real) => ({
              recognize: (text, context) => recognize[text] ?? real.recognize(text, context),
            }),
          }
        : {}),
    };
    this.h = await createHarness(options);
  }

  dispose(): void {
    this.h?.dispose();
    this.h = undefined;
  }

  /**
   * Plays turn `index`. Turns run in order: earlier turns not yet played are played first; once a turn
   * has failed, every later one throws "not run: turn N failed".
   */
  async play(index: number): Promise<void> {
    if (this.failedAt !== undefined) {
      throw new TurnNotRun(this.failedAt + 1, this.failure);
    }
    if (index < this.next) throw new Error(`turn ${index + 1} was already played`);
    while (this.next <= index) {
      const current = this.next;
      try {
        await this.execute(current);
        this.next += 1;
      } catch (error) {
        this.failedAt = current;
        this.failure = error instanceof TurnFailure ? error.problems[0] : (error as Error).message.split('\n')[0];
        if (current === index) throw error;
        throw new TurnNotRun(current + 1, this.failure);
      }
    }
  }

  private conversation(name: string): ScriptConversation {
    let conv = this.conversations.get(name);
    if (!conv) {
      conv = { name, c: this.harness.conversation(name, this.script.locale), locale: this.script.locale, buttons: [] };
      this.conversations.set(name, conv);
    }
    return conv;
  }

  private get placeholders(): PlaceholderContext {
    return { sms: this.harness.sms, customer: this.customer, newPhone: this.newPhone };
  }

  private resolve(text: string, escape?: (v: string) => string): string {
    return resolvePlaceholders(text, this.placeholders, escape);
  }

  /** A button name (`agent`), a key (`button.agent`, `faqTitle.fees`) or a label, as its label. */
  private label(entry: string, locale: Locale): string {
    if (/^[a-z][A-Za-z0-9]*$/.test(entry) && catalog.has(locale, `button.${entry}`)) {
      return catalog.render(locale, `button.${entry}`);
    }
    if (/^[a-z][A-Za-z0-9]*\.[A-Za-z0-9.]+$/.test(entry) && catalog.has(locale, entry)) return catalog.render(locale, entry);
    return this.resolve(entry);
  }

  private async execute(index: number): Promise<void> {
    const turn = this.script.turns[index] as ScriptTurn;
    const title = `${this.titles[index]} ${this.where}`;
    const h = this.harness;
    const conv = this.conversation(turn.conversation ?? 'main');
    if (turn.locale) conv.locale = turn.locale;
    if (turn.advance !== undefined) h.advance(turn.advance);
    if (turn.smsFails) h.sms.failNext = turn.smsFails;

    let activity: Partial<Activity> | undefined;
    const codesBefore = codesSent(h.sms);
    if (turn.join) {
      activity = { type: 'conversationUpdate', membersAdded: [{ id: `user-${conv.name}`, name: 'Customer' }] };
    } else if (turn.say !== undefined) {
      activity = { type: 'message', text: this.resolve(turn.say) };
    } else if (turn.press !== undefined) {
      const wanted = this.label(turn.press, conv.locale);
      if (!conv.buttons.includes(wanted)) {
        throw new TurnFailure(title, [`no button ${JSON.stringify(wanted)} on screen`], `  buttons: ${JSON.stringify(conv.buttons)}`);
      }
      activity = { type: 'message', text: wanted };
    } else if (turn.event) {
      activity = { type: 'event', name: turn.event.name, value: turn.event.value };
    }

    let replies: Partial<Activity>[] = [];
    if (activity) {
      if (this.options.gapMs) h.advance(this.options.gapMs);
      activity = { ...activity, locale: conv.locale, ...(turn.id ? { id: turn.id } : {}) };
      this.options.observer?.sent?.({ conversation: conv.name, activity, turn, at: h.now() });
      replies = await conv.c.send(activity);
      if (this.options.observer?.replied) {
        // With the proactive messages that followed (queue updates…), as a channel would show them.
        const later = await conv.c.received();
        this.options.observer.replied({ conversation: conv.name, replies: [...replies, ...later], at: h.now() });
      }
      conv.buttons = replies.flatMap((r) => (r.suggestedActions?.actions ?? []).map((a) => String(a.value)));
    }

    const problems = [
      ...this.checkTurn(turn.expect, replies, conv.locale),
      ...this.invariants(turn, replies, codesBefore, conv.locale),
      ...(turn.after ? await this.checkAfter(turn.after, conv) : []),
    ];
    if (problems.length > 0) {
      const sent =
        activity?.type === 'message' ? `  sent: ${JSON.stringify(activity.text)}` : activity ? `  sent: a ${activity.type}` : '';
      throw new TurnFailure(title, problems, [sent, '  replies:', describeReplies(replies)].filter(Boolean).join('\n'));
    }
  }

  private checkTurn(expect: ScriptTurn['expect'], replies: Partial<Activity>[], locale: Locale): string[] {
    if (expect === undefined) return [];
    if (Array.isArray(expect)) {
      const problems =
        replies.length === expect.length ? [] : [`expected ${plural(expect.length, 'reply', 'replies')}, got ${replies.length}`];
      expect.forEach((e, i) => {
        const reply = replies[i];
        if (reply) problems.push(...this.checkReply(e, reply, `reply ${i + 1}`, locale));
      });
      return problems;
    }
    const { count, each, some, ...onLast } = expect as TurnExpectation;
    const problems: string[] = [];
    if (count !== undefined && replies.length !== count) {
      problems.push(`expected ${plural(count, 'reply', 'replies')}, got ${replies.length}`);
    }
    if (each) replies.forEach((r, i) => problems.push(...this.checkReply(each, r, `reply ${i + 1}`, locale)));
    if (some && !replies.some((r) => this.checkReply(some, r, '', locale).length === 0)) {
      problems.push(`no reply matches ${JSON.stringify(some)}`);
    }
    if (Object.values(onLast).some((v) => v !== undefined)) {
      const lastReply = replies.at(-1);
      if (!lastReply) problems.push('expected a reply, got none');
      else problems.push(...this.checkReply(onLast, lastReply, `last reply (${replies.length} of ${replies.length})`, locale));
    }
    return problems;
  }

  private checkReply(e: ReplyExpectation, reply: Partial<Activity>, label: string, locale: Locale): string[] {
    const problems: string[] = [];
    const at = label ? `${label}: ` : '';
    const data = cd(reply);
    const fields = ['key', 'expecting', 'intent', 'faqId', 'outcome', 'reason', 'otpTarget'] as const;
    const compare = (name: string, expected: string | number | null | undefined, actual: unknown) => {
      if (expected === undefined) return;
      if (expected === null ? actual !== undefined : expected === '*' ? actual === undefined : actual !== expected) {
        const want = expected === null ? 'none' : expected === '*' ? 'a value' : JSON.stringify(expected);
        problems.push(`${at}${name}: expected ${want}, got ${show(actual)}`);
      }
    };
    for (const name of fields) compare(name, e[name], data[name]);
    compare('inputHint', e.inputHint, reply.inputHint);
    compare('locale', e.locale, reply.locale);
    compare('resendAfterSeconds', e.resendAfterSeconds, data.resendAfterSeconds);
    if (e.handoff === null && data.handoff !== undefined) problems.push(`${at}handoff: expected none, got ${show(data.handoff)}`);
    if (e.handoff && !partialMatch(e.handoff, data.handoff)) {
      problems.push(`${at}handoff: expected ${JSON.stringify(e.handoff)} within, got ${show(data.handoff)}`);
    }
    if (e.buttons !== undefined) {
      const actual = (reply.suggestedActions?.actions ?? []).map((a) => String(a.value));
      const labels = (list: string[] = []) => list.map((b) => this.label(b, locale));
      if (Array.isArray(e.buttons)) {
        const wanted = labels(e.buttons);
        if (JSON.stringify(wanted) !== JSON.stringify(actual)) {
          problems.push(`${at}buttons: expected ${JSON.stringify(wanted)}, got ${JSON.stringify(actual)}`);
        }
      } else {
        for (const b of labels(e.buttons.contains)) {
          if (!actual.includes(b)) problems.push(`${at}buttons: expected ${JSON.stringify(b)} among ${JSON.stringify(actual)}`);
        }
        for (const b of labels(e.buttons.lacks)) {
          if (actual.includes(b)) problems.push(`${at}buttons: expected no ${JSON.stringify(b)}, got ${JSON.stringify(actual)}`);
        }
      }
    }
    if (e.text !== undefined) problems.push(...this.checkText(e.text, reply.text ?? '', `${at}text`));
    if (e.params && typeof e.key === 'string') {
      const params = Object.fromEntries(
        Object.entries(e.params).map(([k, v]) => [k, typeof v === 'string' ? this.resolve(v) : v]),
      );
      const rendered = this.harness.services.render(locale, e.key, params);
      const text = reply.text ?? '';
      if (text !== rendered && !text.startsWith(`${rendered}\n`)) {
        const wanted = `${e.key} with ${JSON.stringify(params)}: ${JSON.stringify(rendered)}`;
        problems.push(`${at}text: expected ${wanted}, got ${JSON.stringify(text)}`);
      }
    }
    return problems;
  }

  /** A text check: a regular expression (bare or `/…/flags`), or `match`/`notMatch`/`contains`/`lacks`. */
  private checkText(check: TextCheck, text: string, label: string): string[] {
    const problems: string[] = [];
    const regex = (pattern: string, flags = '') => {
      const slashed = /^\/(.*)\/([imsu]*)$/s.exec(pattern);
      const source = slashed ? (slashed[1] ?? '') : pattern;
      return new RegExp(this.resolve(source, escapeRegExp), slashed ? (slashed[2] ?? '') : flags);
    };
    const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
    const quoted = JSON.stringify(shorten(text.replace(/\n/g, ' '), 80));
    const { match, notMatch, contains, lacks, flags } = typeof check === 'string' ? { match: check } : { flags: undefined, ...check };
    if (match !== undefined && !regex(match, flags).test(text)) problems.push(`${label}: expected to match ${match}, got ${quoted}`);
    if (notMatch !== undefined && regex(notMatch, flags).test(text)) {
      problems.push(`${label}: expected not to match ${notMatch}, got ${quoted}`);
    }
    for (const part of list(contains)) {
      const value = this.resolve(part);
      if (!text.includes(value)) problems.push(`${label}: expected to contain ${JSON.stringify(value)}, got ${quoted}`);
    }
    for (const part of list(lacks)) {
      const value = this.resolve(part);
      if (text.includes(value)) problems.push(`${label}: expected not to contain ${JSON.stringify(value)}`);
    }
    return problems;
  }

  /**
   * Checked on every turn: no reply says `error.*` unless the script expects that key; every reply is
   * in the conversation's language; a reply to a message says what the bot acted on (`intent`); a
   * question is sent with inputHint expectingInput; no reply shows a code, the customer's details
   * whole, or any run of 11 or more digits.
   */
  private invariants(turn: ScriptTurn, replies: Partial<Activity>[], codesBefore: string[], locale: Locale): string[] {
    const problems: string[] = [];
    const expected = turn.expect === undefined ? [] : Array.isArray(turn.expect) ? turn.expect : [turn.expect];
    const expectedKeys = new Set(
      expected.flatMap((e: TurnExpectation) => [e.key, e.each?.key, e.some?.key].filter((k) => typeof k === 'string')),
    );
    const secrets = [
      ...new Set([...codesBefore, ...codesSent(this.harness.sms)]),
      this.customer.card,
      this.customer.idNumber,
      national(this.customer.phone),
      national(this.newPhone),
    ];
    replies.forEach((r, i) => {
      const data = cd(r);
      const key = typeof data.key === 'string' ? data.key : '';
      if (key.startsWith('error.') && !expectedKeys.has(key)) {
        const log = this.harness.logLines
          .filter((l) => /"level":"(error|fatal)"/.test(l))
          .slice(-2)
          .map((l) => shorten(l, 300));
        problems.push(`reply ${i + 1}: the bot failed (${key})${log.length > 0 ? `\n      log: ${log.join('\n      log: ')}` : ''}`);
      }
      if (r.locale !== locale) problems.push(`reply ${i + 1}: locale ${show(r.locale)}, not the conversation's ${locale}`);
      if ((turn.say !== undefined || turn.press !== undefined) && data.intent === undefined && !key.startsWith('error.')) {
        problems.push(`reply ${i + 1}: no intent on a reply to a message`);
      }
      if (data.expecting !== undefined && r.inputHint !== 'expectingInput') {
        problems.push(`reply ${i + 1}: asks for ${String(data.expecting)} with inputHint ${show(r.inputHint)}, not expectingInput`);
      }
      const text = r.text ?? '';
      if (/\d{11,}/.test(text)) problems.push(`reply ${i + 1}: shows a run of ${/\d{11,}/.exec(text)?.[0].length} digits`);
      for (const secret of secrets) {
        if (secret && text.includes(secret)) {
          problems.push(`reply ${i + 1}: shows ${secret.length === 6 ? 'a code' : 'a full number'} (${secret.slice(0, 2)}…)`);
        }
      }
    });
    return problems;
  }

  private async checkAfter(after: AfterChecks, conv: ScriptConversation): Promise<string[]> {
    const h = this.harness;
    const problems: string[] = [];
    if (after.boundPhone !== undefined) {
      const wanted = e164(this.resolve(after.boundPhone));
      const actual = await h.services.bank.boundPhone(this.customer.card);
      if (actual !== wanted) problems.push(`after: bound number: expected ${wanted}, got ${show(actual)}`);
    }
    for (const [who, check] of Object.entries(after.sms ?? {})) {
      const phone =
        who === 'old'
          ? e164(this.customer.phone)
          : who === 'new'
            ? e164(this.newPhone)
            : who === 'total'
              ? undefined
              : e164(this.resolve(who));
      const sent = phone ? h.sms.to(phone) : h.sms.sent;
      const { count, last } = typeof check === 'number' ? { count: check, last: undefined } : check;
      if (count !== undefined && sent.length !== count) problems.push(`after: SMS to ${who}: expected ${count}, got ${sent.length}`);
      if (last !== undefined) {
        const text = sent.at(-1)?.text;
        if (text === undefined) problems.push(`after: SMS to ${who}: none sent`);
        else problems.push(...this.checkText(last, text, `after: last SMS to ${who}`));
      }
    }
    if (after.queue) {
      const q = after.queue;
      if (q.waiting !== undefined) {
        const waiting = (await h.services.queue.waiting()).length;
        if (waiting !== q.waiting) problems.push(`after: queue: expected ${q.waiting} waiting, got ${waiting}`);
      }
      if (q.reason !== undefined || q.status !== undefined) {
        const ticket = await h.services.queue.openFor(`test/${conv.c.id}`);
        if (q.reason === null) {
          if (ticket) problems.push(`after: queue: expected no open ticket, got one (${ticket.reason}, ${ticket.status})`);
        } else if (!ticket) {
          problems.push('after: queue: this conversation has no open ticket');
        } else {
          if (q.reason !== undefined && ticket.reason !== q.reason) {
            problems.push(`after: queue: reason: expected ${q.reason}, got ${ticket.reason}`);
          }
          if (q.status !== undefined && ticket.status !== q.status) {
            problems.push(`after: queue: status: expected ${q.status}, got ${ticket.status}`);
          }
        }
      }
    }
    if (after.feedback) {
      const summary = await h.services.feedback.summary();
      if (JSON.stringify(summary) !== JSON.stringify(after.feedback)) {
        problems.push(`after: feedback: expected ${JSON.stringify(after.feedback)}, got ${JSON.stringify(summary)}`);
      }
    }
    return problems;
  }
}

export interface TurnReport {
  turn: number;
  title: string;
  status: 'passed' | 'failed' | 'not run';
  message?: string;
}

/** Plays a whole script and reports every turn; after a failure, the rest are `not run`. */
export async function runScript(script: Script, options: ScriptRunOptions = {}): Promise<TurnReport[]> {
  const run = new ScriptRun(script, options);
  await run.start();
  try {
    const reports: TurnReport[] = [];
    for (let i = 0; i < script.turns.length; i += 1) {
      const title = run.titles[i] as string;
      try {
        await run.play(i);
        reports.push({ turn: i + 1, title, status: 'passed' });
      } catch (error) {
        const message = (error as Error).message;
        reports.push({ turn: i + 1, title, status: error instanceof TurnNotRun ? 'not run' : 'failed', message });
      }
    }
    return reports;
  } finally {
    run.dispose();
  }
}
