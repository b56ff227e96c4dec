import type { Activity, Attachment, CardAction, ChannelAccount, ConversationAccount, Entity } from 'botbuilder';
import { LRUCache } from 'lru-cache';

/**
 * An activity from outside, read defensively: every byte of it is untrusted. A field of the wrong
 * type (or absurd size) is treated as absent, never a crash; only the fields the bot and the SDK use
 * are kept. Refused (the caller answers 400): anything that is not an object with a non-empty string
 * `type`, and, where `require` asks for them, a missing `channelId` or `conversation.id` (without them
 * there is no conversation to answer in).
 */
export function readActivity(raw: unknown, require: { conversation: boolean } = { conversation: true }): ActivityRead {
  if (!isObject(raw)) return refused('notAnObject', 'The body must be a JSON object (an activity).');
  const type = shortString(raw.type, MAX.type);
  if (type === undefined || type.trim() === '') return refused('noType', 'The activity needs a non-empty string `type`.');

  const activity: Partial<Activity> = { type };
  const put = <K extends keyof Activity>(key: K, value: Activity[K] | undefined): void => {
    if (value !== undefined) activity[key] = value;
  };
  put('id', shortString(raw.id, MAX.id));
  put('channelId', shortString(raw.channelId, MAX.channelId));
  put('conversation', conversation(raw.conversation));
  put('from', account(raw.from));
  put('recipient', account(raw.recipient));
  put('serviceUrl', serviceUrl(raw.serviceUrl));
  put('locale', locale(raw.locale));
  put('text', typeof raw.text === 'string' ? raw.text : undefined);
  put('textFormat', shortString(raw.textFormat, MAX.word));
  put('speak', typeof raw.speak === 'string' ? raw.speak : undefined);
  put('inputHint', shortString(raw.inputHint, MAX.word));
  put('name', shortString(raw.name, MAX.name));
  put('value', raw.value === null ? undefined : (raw.value as Activity['value']));
  put('channelData', isObject(raw.channelData) ? raw.channelData : undefined);
  put('attachments', listOf(raw.attachments, attachment));
  put('entities', listOf(raw.entities, entity));
  put('suggestedActions', suggestedActions(raw.suggestedActions));
  put('membersAdded', listOf(raw.membersAdded, account));
  put('membersRemoved', listOf(raw.membersRemoved, account));
  put('replyToId', shortString(raw.replyToId, MAX.id));
  put('deliveryMode', DELIVERY_MODES.has(raw.deliveryMode as string) ? (raw.deliveryMode as string) : undefined);
  put('timestamp', time(raw.timestamp));
  put('localTimestamp', time(raw.localTimestamp));
  put('localTimezone', shortString(raw.localTimezone, MAX.name));
  put('callerId', shortString(raw.callerId, MAX.id));
  put('code', shortString(raw.code, MAX.name));
  put('action', shortString(raw.action, MAX.name));

  if (require.conversation) {
    if (activity.channelId === undefined || activity.channelId === '') {
      return refused('noChannel', 'The activity needs a string `channelId`.');
    }
    if (activity.conversation === undefined) {
      return refused('noConversation', 'The activity needs `conversation.id` (a non-empty string).');
    }
  }
  return { ok: true, activity };
}

export type ActivityRefusal = 'notAnObject' | 'noType' | 'noChannel' | 'noConversation';

export type ActivityRead =
  | { ok: true; activity: Partial<Activity> }
  | { ok: false; reason: ActivityRefusal; message: string };

/** Longest accepted lengths; a longer value is treated as absent. */
const MAX = { type: 64, id: 512, channelId: 64, locale: 35, serviceUrl: 2048, name: 256, word: 32, list: 100 } as const;

const DELIVERY_MODES = new Set(['normal', 'notification', 'expectReplies', 'ephemeral']);
/** A BCP 47 tag as channels send it: `zh-CN`, `en-us`, `zh-Hans-CN`. */
const LOCALE = /^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$/;

function refused(reason: ActivityRefusal, message: string): ActivityRead {
  return { ok: false, reason, message };
}

/** A plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shortString(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.length <= max ? value : undefined;
}

function nonEmpty(value: unknown, max: number): string | undefined {
  const s = shortString(value, max);
  return s === undefined || s === '' ? undefined : s;
}

function account(value: unknown): ChannelAccount | undefined {
  if (!isObject(value)) return undefined;
  const id = nonEmpty(value.id, MAX.id);
  if (id === undefined) return undefined;
  const out: ChannelAccount = { id, name: shortString(value.name, MAX.name) ?? '' };
  const role = shortString(value.role, MAX.word);
  if (role !== undefined) out.role = role;
  const aad = shortString(value.aadObjectId, MAX.id);
  if (aad !== undefined) out.aadObjectId = aad;
  return out;
}

function conversation(value: unknown): ConversationAccount | undefined {
  if (!isObject(value)) return undefined;
  const id = nonEmpty(value.id, MAX.id);
  if (id === undefined) return undefined;
  const out: ConversationAccount = {
    id,
    name: shortString(value.name, MAX.name) ?? '',
    isGroup: value.isGroup === true,
    conversationType: shortString(value.conversationType, MAX.name) ?? '',
  };
  const tenantId = shortString(value.tenantId, MAX.id);
  if (tenantId !== undefined) out.tenantId = tenantId;
  return out;
}

/**
 * Service URLs already checked, and whether each passed: a channel sends the same one or two on every
 * turn, and parsing one costs more than the rest of the activity's checks. The 64 used last only.
 */
const checkedServiceUrls = new LRUCache<string, boolean>({ max: 64 });

/** Only an absolute http(s) URL: the SDK posts replies there. */
function serviceUrl(value: unknown): string | undefined {
  const s = shortString(value, MAX.serviceUrl);
  if (s === undefined) return undefined;
  let ok = checkedServiceUrls.get(s);
  if (ok === undefined) {
    ok = isHttpUrl(s);
    checkedServiceUrls.set(s, ok);
  }
  return ok ? s : undefined;
}

function isHttpUrl(s: string): boolean {
  if (!URL.canParse(s)) return false;
  const { protocol } = new URL(s);
  return protocol === 'http:' || protocol === 'https:';
}

function locale(value: unknown): string | undefined {
  const s = shortString(value, MAX.locale)?.trim();
  return s !== undefined && LOCALE.test(s) ? s : undefined;
}

function time(value: unknown): Date | undefined {
  const date = value instanceof Date ? value : typeof value === 'string' && value.length <= 64 ? new Date(value) : undefined;
  return date !== undefined && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** The items of a list that read well; absent when it is not a list. */
function listOf<T>(value: unknown, read: (item: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: T[] = [];
  for (const item of value.slice(0, MAX.list)) {
    const read1 = read(item);
    if (read1 !== undefined) out.push(read1);
  }
  return out;
}

function attachment(value: unknown): Attachment | undefined {
  if (!isObject(value) || typeof value.contentType !== 'string') return undefined;
  return value as unknown as Attachment;
}

function entity(value: unknown): Entity | undefined {
  return isObject(value) && typeof value.type === 'string' ? (value as Entity) : undefined;
}

function cardAction(value: unknown): CardAction | undefined {
  if (!isObject(value) || typeof value.type !== 'string' || typeof value.title !== 'string') return undefined;
  return value as unknown as CardAction;
}

function suggestedActions(value: unknown): Activity['suggestedActions'] | undefined {
  if (!isObject(value)) return undefined;
  const actions = listOf(value.actions, cardAction);
  if (actions === undefined) return undefined;
  return { to: listOf(value.to, (v) => shortString(v, MAX.id)) ?? [], actions };
}
