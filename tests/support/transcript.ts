/**
 * Replays a Bot Framework Emulator transcript (.transcript: a JSON array of activities, or an object
 * with a `transcript` array) through the in-process harness: the customer's activities are sent in
 * order, and the bot's replies are compared with the recorded ones after both are normalised.
 *
 * Normalised away: ids, timestamps, localTimestamp, serviceUrl, channel, conversation, from, recipient,
 * replyToId, entities, the client's channelData (clientActivityID) and handoff ticket numbers; typing
 * and trace activities are skipped on both sides. Compared: type, name, text, speak, textFormat,
 * locale, inputHint, channelData, suggestedActions (type, title, value), attachments, value.
 *
 * Codes: a customer's text may say `{{code}}` (the latest code sent) or `{{code:+8613800138000}}`
 * (the latest sent to that number). A recording with a real code in it (typed at an `expecting: otp`
 * question and accepted by the bot at the time) gets the fresh code instead.
 */
import type { Activity } from 'botbuilder';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { cd, createHarness } from './harness';
import { codesSent, hasPlaceholders, resolvePlaceholders } from './scriptPlaceholders';
import { formatIssues } from './scriptSchema';

interface Account {
  id: string;
  name?: string;
  role?: string;
}
/** An activity as the Emulator saves it (JSON: times are strings); only `type` is required. */
export type TranscriptActivity = Omit<
  Partial<Activity>,
  'type' | 'timestamp' | 'localTimestamp' | 'from' | 'recipient' | 'conversation'
> & {
  type: string;
  conversation?: { id: string; [more: string]: unknown };
  timestamp?: string;
  localTimestamp?: string;
  from?: Account;
  recipient?: Account;
};

const activitySchema = z.looseObject({
  type: z.string().min(1),
  from: z.looseObject({ id: z.string().optional(), role: z.string().optional() }).optional(),
  recipient: z.looseObject({ id: z.string().optional(), role: z.string().optional() }).optional(),
  text: z.string().optional(),
  timestamp: z.string().optional(),
});
const transcriptSchema = z.union([
  z.array(activitySchema),
  z.looseObject({ transcript: z.array(activitySchema) }).transform((t) => t.transcript),
]);

/** A transcript that cannot be read: the file, and what is wrong where. */
export class TranscriptFormatError extends Error {
  override readonly name = 'TranscriptFormatError';
}

/** Reads either form of a transcript; `file` names it in errors. */
export function parseTranscript(text: string, file: string): TranscriptActivity[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TranscriptFormatError(`${file}: not JSON (${(error as Error).message})`);
  }
  const result = transcriptSchema.safeParse(json);
  if (!result.success) {
    throw new TranscriptFormatError(
      `${file}: not a transcript (an array of activities, or { "transcript": [...] }):\n  ` +
        formatIssues(result.error.issues).join('\n  '),
    );
  }
  return result.data as TranscriptActivity[];
}

export function loadTranscript(file: string): TranscriptActivity[] {
  return parseTranscript(readFileSync(file, 'utf8'), file);
}

/** Sent by the bot: `from.role` is `bot` (or, without roles, the recipient is the user). */
export function isFromBot(a: { from?: { role?: string }; recipient?: { role?: string } }): boolean {
  if (a.from?.role) return a.from.role === 'bot';
  return a.recipient?.role === 'user';
}

const dataOf = (a: { channelData?: unknown } | undefined): Record<string, unknown> =>
  (a?.channelData ?? {}) as Record<string, unknown>;

/** Activities that carry nothing to compare. */
const skipped = (a: { type?: string }) => a.type === 'typing' || a.type === 'trace';

const COMPARED = [
  'type',
  'name',
  'text',
  'speak',
  'textFormat',
  'locale',
  'inputHint',
  'channelData',
  'suggestedActions',
  'attachmentLayout',
  'attachments',
  'value',
  'valueType',
] as const;

/** The comparable part of a bot activity, with keys sorted and undefined dropped. */
export function normalizeActivity(a: Partial<Activity> | TranscriptActivity): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const field of COMPARED) if (a[field] !== undefined) picked[field] = a[field];
  if (picked.suggestedActions) {
    const actions = a.suggestedActions?.actions ?? [];
    picked.suggestedActions = actions.map(({ type, title, value, image }) => ({ type, title, value, image }));
  }
  if (picked.attachments) {
    picked.attachments = (a.attachments ?? []).map(({ contentType, content, name }) => ({ contentType, content, name }));
  }
  if (picked.channelData) {
    const { clientActivityID: _client, ...rest } = picked.channelData as Record<string, unknown>;
    picked.channelData = rest;
  }
  let text = JSON.stringify(sortKeys(picked));
  // Ticket numbers are random: the one in channelData.handoff stands for itself wherever it appears.
  const ticket = (dataOf(a).handoff as { ticket?: unknown } | undefined)?.ticket;
  if (typeof ticket === 'string' && ticket !== '') text = text.split(ticket).join('{ticket}');
  return JSON.parse(text) as Record<string, unknown>;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}

/** Leaf values by path (`channelData.key`, `suggestedActions[1].title`). */
function leaves(value: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [`[${i}]`, v] as const)
      : Object.entries(value).map(([k, v]) => [`${path ? '.' : ''}${k}`, v] as const);
    if (entries.length === 0) out.set(path, JSON.stringify(value));
    for (const [k, v] of entries) leaves(v, `${path}${k}`, out);
  } else {
    out.set(path, JSON.stringify(value));
  }
  return out;
}

/** `path: recorded X, replayed Y` for every difference. */
export function diffActivities(recorded: Record<string, unknown>, replayed: Record<string, unknown>): string[] {
  const a = leaves(recorded);
  const b = leaves(replayed);
  const paths = [...new Set([...a.keys(), ...b.keys()])];
  return paths
    .filter((p) => a.get(p) !== b.get(p))
    .map((p) => `${p}: recorded ${a.get(p) ?? 'nothing'}, replayed ${b.get(p) ?? 'nothing'}`);
}

const summary = (a: Record<string, unknown>) => {
  const data = (a.channelData ?? {}) as Record<string, unknown>;
  const text = typeof a.text === 'string' ? JSON.stringify(a.text.length > 40 ? `${a.text.slice(0, 39)}…` : a.text) : '';
  const what = a.type === 'message' ? String(data.key ?? '(no key)') : `[${String(a.type)}]`;
  return [what, data.expecting ? `expecting=${String(data.expecting)}` : '', text].filter(Boolean).join(' ');
};

/** A reply that differs from the recording. */
export class TranscriptMismatch extends Error {
  override readonly name = 'TranscriptMismatch';
  constructor(message: string) {
    super(message);
    // The message says it all: no code frame of the replayer under it.
    this.stack = `${this.name}: ${this.message}`;
  }
}

export interface ReplayOptions {
  /** Names the transcript in messages. */
  file?: string;
}

export interface ReplayReport {
  /** Customer activities sent. */
  sent: number;
  /** Bot replies compared. */
  compared: number;
  /** Customer texts whose recorded code was replaced by the fresh one. */
  codesReplaced: number;
}

const REFUSED_CODE = /^(otp\.(wrong|expired|locked|noCode)|invalid\.otp\.)/;
const RECORD_AGAIN = 'If the change is intended, record the transcript again (npx tsx tests/transcripts/record.ts).';

/** Replays `activities` on a fresh harness; throws TranscriptMismatch at the first difference. */
export async function replayTranscript(activities: TranscriptActivity[], options: ReplayOptions = {}): Promise<ReplayReport> {
  const where = options.file ?? 'transcript';
  const incoming = activities.map((a, i) => [a, i] as const).filter(([a]) => !isFromBot(a) && !skipped(a));
  if (incoming.length === 0) throw new TranscriptFormatError(`${where}: no activity from the customer to replay`);
  const botIds = new Set(
    activities.flatMap((a) => (isFromBot(a) ? [a.from?.id] : [a.recipient?.id])).filter((id): id is string => Boolean(id)),
  );
  const timeOf = (a: TranscriptActivity) => (a.timestamp ? Date.parse(a.timestamp) : Number.NaN);
  const firstTime = timeOf(incoming[0]![0]);
  const h = await createHarness(Number.isNaN(firstTime) ? {} : { start: firstTime });
  const report: ReplayReport = { sent: 0, compared: 0, codesReplaced: 0 };
  try {
    const conv = h.conversation('replay', incoming[0]![0].locale ?? 'zh-CN');
    let clock = firstTime;
    let lastReply: Partial<Activity> | undefined;
    for (let n = 0; n < incoming.length; n += 1) {
      const [recorded, index] = incoming[n]!;
      const until = incoming[n + 1]?.[1] ?? activities.length;
      const expected = activities.slice(index + 1, until).map((a, k) => [a, index + 1 + k] as const).filter(([a]) => !skipped(a));

      // The customer's pauses, so that codes expire and cooldowns pass as they did.
      const at = timeOf(recorded);
      if (!Number.isNaN(at) && !Number.isNaN(clock) && at > clock) h.advance(at - clock);
      if (!Number.isNaN(at)) clock = Math.max(clock, at);

      const activity = customerActivity(recorded, botIds, `user-${conv.id}`);
      if (typeof activity.text === 'string') {
        const text = activity.text;
        if (hasPlaceholders(text)) {
          activity.text = resolvePlaceholders(text, { sms: h.sms });
        } else if (
          cd(lastReply).expecting === 'otp' &&
          /^\s*\d{6}\s*$/.test(text) &&
          !expected.some(([a]) => REFUSED_CODE.test(String(dataOf(a).key ?? '')))
        ) {
          const fresh = codesSent(h.sms).at(-1);
          if (fresh) {
            activity.text = fresh;
            report.codesReplaced += 1;
          }
        }
      }
      const replies = [...(await conv.send(activity)), ...(await conv.received())].filter((a) => !skipped(a));
      report.sent += 1;

      const said =
        recorded.type === 'message'
          ? `the customer's message ${JSON.stringify(recorded.text ?? '')}`
          : `the customer's ${recorded.type}${recorded.name ? ` ${recorded.name}` : ''}`;
      const want = expected.map(([a]) => normalizeActivity(a));
      const got = replies.map(normalizeActivity);
      const listing = () =>
        [
          `  recorded: ${want.length === 0 ? '(no reply)' : want.map((a, k) => `[${expected[k]![1]}] ${summary(a)}`).join(' | ')}`,
          `  replayed: ${got.length === 0 ? '(no reply)' : got.map(summary).join(' | ')}`,
        ].join('\n');
      if (want.length !== got.length) {
        throw new TranscriptMismatch(
          `${where}: the bot's replies to [${index}] (${said}): recorded ${want.length}, replayed ${got.length}\n` +
            `${listing()}\n${RECORD_AGAIN}`,
        );
      }
      want.forEach((w, k) => {
        const diff = diffActivities(w, got[k]!);
        if (diff.length > 0) {
          throw new TranscriptMismatch(
            `${where}: activity [${expected[k]![1]}], the bot's reply ${k + 1} to [${index}] (${said}), differs:\n` +
              `  ${diff.join('\n  ')}\n${listing()}\n${RECORD_AGAIN}`,
          );
        }
      });
      report.compared += want.length;
      lastReply = replies.at(-1) ?? lastReply;
    }
    return report;
  } finally {
    h.dispose();
  }
}

/** What the customer sent, ready for the harness: their fields only, the bot's id mapped to the harness's. */
function customerActivity(recorded: TranscriptActivity, botIds: Set<string>, userId: string): Partial<Activity> {
  const mapMember = (m: { id: string; name?: string }) =>
    botIds.has(m.id) ? { id: 'rebind', name: 'Rebind' } : { id: userId, name: m.name ?? 'Customer' };
  // The recorded id (prefixed): a channel's retry of an activity stays a retry.
  const out: Partial<Activity> = { type: recorded.type, ...(recorded.id ? { id: `rec-${recorded.id}` } : {}) };
  for (const field of ['text', 'textFormat', 'value', 'valueType', 'name', 'locale', 'attachments'] as const) {
    if (recorded[field] !== undefined) (out as Record<string, unknown>)[field] = recorded[field];
  }
  if (recorded.membersAdded) out.membersAdded = recorded.membersAdded.map(mapMember);
  if (recorded.membersRemoved) out.membersRemoved = recorded.membersRemoved.map(mapMember);
  return out;
}
