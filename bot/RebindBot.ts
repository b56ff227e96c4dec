import { TurnContext, type Activity, type ConversationReference, type Storage } from 'botbuilder';
import type { Snapshot } from 'xstate';
import type { ChangePhoneMachine } from '../dialogs/changePhoneMachine';
import type { Recognizer } from '../dialogs/recognizer';
import type { ChartContext, ChartEvent, Locale, Reply } from '../dialogs/types';
import type { Clock } from '../services/clock';
import { activityToEvents } from './activityToEvents';
import { renderReplies, type RenderText } from './renderReplies';
import { runChart } from './runChart';
import { TurnQueue } from './turnQueue';

/** Bump when the chart changes so that stored snapshots no longer fit; old ones are discarded. */
export const SNAPSHOT_VERSION = 1;
/** How many recent activity ids are remembered to answer a channel's retry without acting twice. */
const RECENT_ACTIVITIES = 20;

/** What is stored per conversation. */
export interface ConversationDoc {
  version: number;
  snapshot: Snapshot<unknown>;
  updatedAt: number;
  /** Where to reach the customer later (an agent's reply, a notice): the channel and conversation. */
  reference?: Partial<ConversationReference>;
  /** Replies already sent for recent activity ids: a retry gets the same replies, nothing is redone. */
  recent: Array<{ activityId: string; replies: Partial<Activity>[] }>;
  eTag?: string;
}

export interface RebindBotOptions {
  machine: ChangePhoneMachine;
  storage: Storage;
  recognizer: Recognizer;
  render: RenderText;
  localeOf: (activityLocale?: string) => Locale;
  clock: Clock;
  /** A conversation idle longer than this, in the middle of a change, starts over. */
  sessionIdleMs: number;
  /** How long the chart's effects may take in one turn. */
  turnTimeoutMs: number;
  /** Told about every turn that did something: for logs and metrics. Carries keys, never text. */
  onTurn?: (info: TurnInfo) => void;
}

export interface TurnInfo {
  conversationKey: string;
  /** The chart's state after the turn. */
  state: unknown;
  intent?: string;
  outcome?: string;
  /** Message keys sent. */
  keys: string[];
  /** A channel's retry answered from the record. */
  replayed: boolean;
  ms: number;
}

/**
 * One turn, from the wire to the side effect and back: activity → events → chart → replies →
 * save → send. Turns of one conversation run one at a time.
 */
export class RebindBot {
  readonly queue = new TurnQueue();

  constructor(private readonly options: RebindBotOptions) {}

  async run(context: TurnContext): Promise<void> {
    const { activity } = context;
    const key = conversationKey(activity);
    await this.queue.run(key, () => this.turn(context, key));
  }

  private async turn(context: TurnContext, key: string): Promise<void> {
    const { activity } = context;
    const o = this.options;
    const locale = o.localeOf(activity.locale);
    const doc = await this.load(key);

    // A channel retrying an activity we already handled: answer the same, do nothing again.
    const seen = activity.id ? doc?.recent.find((r) => r.activityId === activity.id) : undefined;
    if (seen) {
      await context.sendActivities(seen.replies);
      o.onTurn?.({ conversationKey: key, state: undefined, keys: [], replayed: true, ms: 0 });
      return;
    }

    const now = o.clock();
    const started = performance.now();
    const before: Reply[] = [];
    let snapshot = doc && doc.version === SNAPSHOT_VERSION ? doc.snapshot : undefined;
    if (snapshot && now - (doc?.updatedAt ?? now) > o.sessionIdleMs && !isIdle(snapshot)) {
      snapshot = undefined;
      before.push({ key: 'session.expired' });
    }

    // What the bot was waiting for decides how words are read ("收不到" answers a yes/no question,
    // and asks a question at a code prompt).
    const held = (snapshot as { context?: Partial<ChartContext> } | undefined)?.context;
    const recognized = await activityToEvents(activity, o.recognizer, { locale, expecting: held?.expecting });
    const events: ChartEvent[] =
      recognized.length > 0 && (held?.locale ?? 'zh-CN') !== locale
        ? [{ type: 'LOCALE_SET', locale }, ...recognized]
        : recognized;
    const turn = await runChart(o.machine, {
      conversationId: activity.conversation.id,
      snapshot,
      timeoutMs: o.turnTimeoutMs,
      events,
    });
    if (events.length === 0 && before.length === 0) return;

    const replies = renderReplies([...before, ...turn.replies], {
      locale,
      render: o.render,
      intent: turn.acted?.intent,
    }).map((r) => ({ ...r, ...(activity.id ? { replyToId: activity.id } : {}) }));

    const recent = doc?.recent ?? [];
    const next: ConversationDoc = {
      version: SNAPSHOT_VERSION,
      snapshot: turn.snapshot,
      updatedAt: now,
      recent: activity.id ? [...recent, { activityId: activity.id, replies }].slice(-RECENT_ACTIVITIES) : recent,
      reference: TurnContext.getConversationReference(activity),
      ...(doc?.eTag ? { eTag: doc.eTag } : {}),
    };
    // Saved before sending: if sending fails, the channel's retry finds the replies recorded.
    await o.storage.write({ [key]: next });
    await context.sendActivities(replies);
    const all = [...before, ...turn.replies];
    o.onTurn?.({
      conversationKey: key,
      state: turn.stateValue,
      intent: turn.acted?.intent,
      outcome: all.find((r) => r.outcome)?.outcome,
      keys: all.map((r) => r.key),
      replayed: false,
      ms: Math.round(performance.now() - started),
    });
  }

  /** Where the customer of a conversation can be reached, from its last turn. */
  async referenceOf(key: string): Promise<Partial<ConversationReference> | undefined> {
    return (await this.load(key))?.reference;
  }

  private async load(key: string): Promise<ConversationDoc | undefined> {
    const items = await this.options.storage.read([key]);
    return items[key] as ConversationDoc | undefined;
  }
}

export function conversationKey(activity: Pick<Activity, 'channelId' | 'conversation'>): string {
  return `rebind/${activity.channelId}/${activity.conversation.id}`;
}

function isIdle(snapshot: Snapshot<unknown>): boolean {
  return (snapshot as { value?: unknown }).value === 'idle';
}
