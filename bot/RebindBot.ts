import { EventFactory, TurnContext, type Activity, type ConversationReference, type Storage } from 'botbuilder';
import type { Snapshot } from 'xstate';
import type { ChangePhoneMachine } from '../dialogs/changePhone';
import type { Recognizer } from '../domain/recognizer';
import type { ActedIntent, ChartContext, ChartEvent, Reply } from '../dialogs/types';
import type { Locale } from '../domain/locale';
import type { Clock } from '../domain/clock';
import { conversationIdOfKey, conversationStorageKey } from '../services/storage/conversationKey';
import { isTrackedStorage, UNCHANGED, type TrackedStorage } from '../services/storage';
import type { RateDecision, RateLimits } from '../services/limits';
import type { TurnClient, TurnClients } from '../services/limits/turnClient';
import type { TranscriptLine } from '../services/transcripts';
import type { HoldingTranscripts } from '../services/transcripts/holding';
import { activityToEvents, type ListenMode } from './activityToEvents';
import { renderReplies, type RenderText } from './renderReplies';
import { runChart, type ChartActor, type ChartTurn } from './runChart';
import { TurnQueue } from './turnQueue';
import { WarmConversations } from './warmConversations';

/** Bump when the chart changes so that stored snapshots no longer fit; old ones are discarded. */
export const SNAPSHOT_VERSION = 2;
/** Where the server puts the client's address in a turn's `turnState` (see TRUST_PROXY_HOPS). */
export const CLIENT_IP = Symbol('rebind.clientIp');

/**
 * How many recent activity ids are remembered to answer a channel's retry without acting twice.
 * Channels retry the activity they just sent; a few cover messages sent close together, and each
 * kept reply set is most of the stored state (read and written every turn).
 */
const RECENT_ACTIVITIES = 5;
/** Conversations kept decoded in memory after their last turn here (see warmConversations.ts). */
const WARM = { max: 500, idleMs: 10 * 60_000 };
/** Lines of the conversation sent with a handoff to the channel's agent hub. */
const HANDOFF_TRANSCRIPT_LINES = 50;

/** What is stored per conversation. */
export interface ConversationDoc {
  version: number;
  snapshot: Snapshot<unknown>;
  updatedAt: number;
  /** Where to reach the customer later (an agent's reply, a notice): the channel and conversation. */
  reference?: Partial<ConversationReference>;
  /** Replies already sent for recent activity ids: a retry gets the same replies, nothing is redone. */
  recent: RecentTurn[];
  eTag?: string;
}

/**
 * What a recent activity was answered with, for a channel's retry of it. Stored as the chart said it
 * (message keys and values, the language, what it acted on) and rendered again for the retry: the
 * same replies in a third of the bytes of the rendered ones, read and written every turn. Documents
 * written before hold the rendered `replies`, which are sent as they are.
 */
export interface RecentTurn {
  activityId: string;
  said?: Reply[];
  locale?: Locale;
  intent?: ActedIntent;
  /** Activities not rendered from the chart's replies: a handoff event for the channel's agent hub. */
  events?: Partial<Activity>[];
  /** As written by earlier versions: the replies as sent. */
  replies?: Partial<Activity>[];
}

/** Runs `logic` in a turn of its own on the customer's channel (a proactive message). */
export type ContinueConversation = (
  reference: Partial<ConversationReference>,
  logic: (context: TurnContext) => Promise<void>,
) => Promise<void>;

export interface RebindBotOptions {
  machine: ChangePhoneMachine;
  storage: Storage;
  recognizer: Recognizer;
  render: RenderText;
  localeOf: (activityLocale?: unknown) => Locale;
  clock: Clock;
  /** A conversation idle longer than this, in the middle of a change, starts over. */
  sessionIdleMs: number;
  /** How long the chart's effects may take in one turn. */
  turnTimeoutMs: number;
  /** Where what was said is kept (masked), for the person who takes over. */
  transcripts?: HoldingTranscripts;
  /**
   * One turn at a time per conversation across instances (several bots on Redis). Turns of one
   * conversation in this process are already serialised; this adds the cross-instance lock.
   */
  lock?: { run<T>(key: string, task: () => Promise<T>): Promise<T> };
  /**
   * Message floods per conversation, user id and client IP: a message over the limit is not acted on,
   * and the first one in a window gets `limit.messages`.
   */
  rateLimits?: RateLimits;
  /** Where the chart's effects find the turn's client, for the limits on identity checks and code sends. */
  clients?: TurnClients;
  /**
   * Resolves when every write made so far is on disk (group commit): awaited after a turn's writes and
   * before its replies are sent; rejects when a write made after `since` (a `mark()` taken when the
   * turn began) was lost, so the turn fails instead of answering. Without it every write is taken to
   * be durable when it returns.
   */
  durable?: (since?: number) => Promise<void>;
  mark?: () => number;
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
  /** A turn the bot started itself (an agent's message, a queue update). */
  proactive?: boolean;
  /** What the last reply that asked something asked for (`channelData.expecting`). */
  expecting?: string;
  /** Which number the last code went to (`channelData.otpTarget`). */
  otpTarget?: 'old' | 'new';
  ms: number;
}

/** The chart's conversation id for an activity: the channel and its conversation id. */
export function chartConversationId(activity: Pick<Activity, 'channelId' | 'conversation'>): string {
  return `${activity.channelId}/${activity.conversation.id}`;
}

export function conversationKey(activity: Pick<Activity, 'channelId' | 'conversation'>): string {
  return conversationStorageKey(chartConversationId(activity));
}

/**
 * One turn, from the wire to the side effect and back: activity → events → chart → replies →
 * save → send. Turns of one conversation run one at a time, including the ones the bot starts
 * itself to pass on what a person said.
 */
export class RebindBot {
  readonly queue = new TurnQueue();
  private continueConversation?: ContinueConversation;
  /**
   * Conversations held after their turn, with the store that says whether one changed since it was
   * written here; none when the store cannot say (any other `Storage`).
   */
  private readonly warm: { store: TrackedStorage; held: WarmConversations<ConversationDoc> } | undefined;
  /**
   * The chart's actor of a held conversation, by the snapshot it left (the held document's): a turn that
   * starts from that very snapshot goes on with the actor instead of restoring it. A document read from
   * the store has a snapshot of its own, so it is always restored.
   */
  private readonly actors = new WeakMap<object, ChartActor>();

  constructor(private readonly options: RebindBotOptions) {
    this.warm = isTrackedStorage(options.storage)
      ? { store: options.storage, held: new WarmConversations({ ...WARM, now: options.clock }) }
      : undefined;
  }

  /** How proactive turns reach the customer's channel (the adapter's continueConversationAsync). */
  useProactive(continueConversation: ContinueConversation): void {
    this.continueConversation = continueConversation;
  }

  async run(context: TurnContext): Promise<void> {
    const { activity } = context;
    const key = conversationKey(activity);
    await this.queue.run(key, () => this.locked(key, () => this.forgetOnFailure(key, () => this.turn(context, key))));
  }

  /** A turn that failed part-way may have left the held copy unlike the stored one: read it afresh. */
  private async forgetOnFailure<T>(key: string, task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } catch (error) {
      this.warm?.held.delete(key);
      throw error;
    }
  }

  private locked<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.options.lock ? this.options.lock.run(key, task) : task();
  }

  /**
   * Gives the chart of a conversation events from outside (an agent joined, said something, left;
   * the queue moved) and sends what it says to the customer as proactive messages. False when the
   * conversation is unknown or cannot be reached.
   */
  notify(conversationId: string, events: ChartEvent[]): Promise<boolean> {
    const key = conversationStorageKey(conversationId);
    return this.queue.run(key, () =>
      this.locked(key, () =>
        this.forgetOnFailure(key, async () => {
          const doc = await this.load(key);
          const reach = this.continueConversation;
          if (!doc?.reference || !reach || doc.version !== SNAPSHOT_VERSION) return false;
          const reference = doc.reference;
          await reach(reference, (context) => this.advance(context, key, doc, events, { proactive: true }));
          return true;
        }),
      ),
    );
  }

  private async turn(context: TurnContext, key: string): Promise<void> {
    const { activity } = context;
    const o = this.options;
    const since = o.mark?.();
    const doc = await this.load(key);

    // A channel retrying an activity we already handled: answer the same, do nothing again.
    const seen = activity.id ? doc?.recent.find((r) => r.activityId === activity.id) : undefined;
    if (seen) {
      await context.sendActivities(this.repliesOf(seen));
      o.onTurn?.({ conversationKey: key, state: undefined, keys: [], replayed: true, ms: 0 });
      return;
    }

    const conversationId = chartConversationId(activity);
    const client: TurnClient = {
      ...(typeof activity.from?.id === 'string' && activity.from.id !== '' ? { user: `${activity.channelId}/${activity.from.id}` } : {}),
      ...(typeof context.turnState.get(CLIENT_IP) === 'string' ? { ip: context.turnState.get(CLIENT_IP) as string } : {}),
    };
    if (activity.type === 'message' && o.rateLimits) {
      const decision = await o.rateLimits.consume('messages', { conversation: conversationId, ...client });
      if (!decision.allowed) {
        await this.slowDown(context, key, decision, since);
        return;
      }
    }

    const now = o.clock();
    const before: Reply[] = [];
    let current = doc && doc.version === SNAPSHOT_VERSION ? doc : undefined;
    if (current && now - current.updatedAt > o.sessionIdleMs && inChange(current.snapshot)) {
      current = undefined;
      before.push({ key: 'session.expired' });
    }

    // What the bot was waiting for decides how words are read ("收不到" answers a yes/no question,
    // and asks a question at a code prompt); with a person, every word is for the person.
    const held = (current?.snapshot as { context?: Partial<ChartContext> } | undefined)?.context;
    const locale = o.localeOf(activity.locale);
    const recognized = await activityToEvents(activity, o.recognizer, {
      locale,
      expecting: held?.expecting,
      mode: listenMode(held),
    });
    const events: ChartEvent[] =
      recognized.length > 0 && (held?.locale ?? 'zh-CN') !== locale
        ? [{ type: 'LOCALE_SET', locale }, ...recognized]
        : recognized;
    if (events.length === 0 && before.length === 0) return;

    // What the customer said goes into the transcript with the bot's answer, in one write: held
    // until then (and read with the rest meanwhile).
    if (activity.type === 'message' && typeof activity.text === 'string' && activity.text.trim() !== '') {
      o.transcripts?.hold(conversationId, [{ from: 'customer', text: activity.text, at: now }]);
    }
    const advance = () =>
      this.advance(context, key, current, events, {
        before,
        activityId: activity.id,
        reference: TurnContext.getConversationReference(activity),
        previous: doc,
        since,
      });
    try {
      await (o.clients ? o.clients.during(conversationId, client, advance) : advance());
    } catch (error) {
      // A turn that failed before its own append: what the customer said is kept all the same
      // (unless the store fails too: then the turn's own error is the one to report).
      await o.transcripts?.release(conversationId).catch(() => undefined);
      throw error;
    }
  }

  /**
   * A message over the flood limit: not acted on, not kept. The first one in the window is told when
   * to write again (the conversation and its progress are untouched); the rest get no reply, so a
   * flood cannot make the bot flood back.
   */
  private async slowDown(
    context: TurnContext,
    key: string,
    decision: Extract<RateDecision, { allowed: false }>,
    since: number | undefined,
  ) {
    const o = this.options;
    const said: Reply[] = decision.first
      ? [
          {
            key: 'limit.messages',
            params: { seconds: decision.retryAfterSeconds },
            data: { reason: 'rateLimited', retryAfterSeconds: String(decision.retryAfterSeconds) },
          },
        ]
      : [];
    const replies = renderReplies(said, { locale: o.localeOf(context.activity.locale), render: o.render });
    if (replies.length > 0) {
      await o.durable?.(since);
      await context.sendActivities(replies);
    }
    o.onTurn?.({ conversationKey: key, state: undefined, keys: said.map((r) => r.key), replayed: false, ms: 0 });
  }

  /** Runs the chart on `events`, saves, then sends the replies (and any handoff event). */
  private async advance(
    context: TurnContext,
    key: string,
    doc: ConversationDoc | undefined,
    events: ChartEvent[],
    turn: {
      before?: Reply[];
      activityId?: string;
      reference?: Partial<ConversationReference>;
      /** The stored document even when its state was discarded (for its eTag and recent replies). */
      previous?: ConversationDoc;
      proactive?: boolean;
      /** The write history's mark when the turn began (see `durable`). */
      since?: number;
    },
  ): Promise<void> {
    const o = this.options;
    const since = o.mark?.();
    const started = performance.now();
    const conversationId = conversationIdOfKey(key);
    const warm = doc?.snapshot ? this.actors.get(doc.snapshot) : undefined;
    // Taken up by this turn: if the turn fails, nobody goes on with it.
    if (doc?.snapshot) this.actors.delete(doc.snapshot);
    const result = await runChart(o.machine, {
      conversationId,
      snapshot: doc?.snapshot,
      timeoutMs: o.turnTimeoutMs,
      events,
      ...(warm ? { warm } : {}),
    });
    const said = [...(turn.before ?? []), ...result.replies];
    // Proactive turns speak the customer's language as the chart knows it.
    const locale = turn.proactive ? result.context.locale : o.localeOf(context.activity.locale);
    const intent = result.acted?.intent;
    const replies = this.rendered(said, locale, intent, turn.activityId);
    const hub = await this.handoffEvents(context, result, conversationId);
    replies.push(...hub);

    const stored = turn.previous ?? doc;
    const recent = stored?.recent ?? [];
    const answered: RecentTurn | undefined = turn.activityId
      ? { activityId: turn.activityId, said, locale, ...(intent ? { intent } : {}), ...(hub.length > 0 ? { events: hub } : {}) }
      : undefined;
    const next: ConversationDoc = {
      version: SNAPSHOT_VERSION,
      snapshot: result.snapshot,
      updatedAt: o.clock(),
      recent: answered ? [...recent, answered].slice(-RECENT_ACTIVITIES) : recent,
      ...(turn.reference ?? stored?.reference ? { reference: turn.reference ?? stored?.reference } : {}),
      ...(stored?.eTag ? { eTag: stored.eTag } : {}),
    };
    // Saved before sending: if sending fails, the channel's retry finds the replies recorded.
    try {
      await this.save(key, next);
    } catch (error) {
      result.actor.stop();
      throw error;
    }
    if (this.warm) this.actors.set(next.snapshot, result.actor);
    else result.actor.stop();
    await o.transcripts?.append(conversationId, transcriptLines(said, replies));
    // Durable before sent: the turns that finish together share one sync of the disk.
    await o.durable?.(turn.since ?? since);
    if (replies.length > 0) await context.sendActivities(replies);
    o.onTurn?.({
      conversationKey: key,
      state: result.stateValue,
      intent: result.acted?.intent,
      outcome: said.find((r) => r.outcome)?.outcome,
      keys: said.map((r) => r.key),
      replayed: false,
      ...(turn.proactive ? { proactive: true } : {}),
      ...lastOf(said, 'expecting'),
      ...lastOf(said, 'otpTarget'),
      ms: Math.round(performance.now() - started),
    });
  }

  /** The chart's replies as activities in `locale`, each marked as the answer to `activityId`. */
  private rendered(said: Reply[], locale: Locale, intent: ActedIntent | undefined, activityId: string | undefined): Partial<Activity>[] {
    return renderReplies(said, { locale, render: this.options.render, ...(intent ? { intent } : {}) }).map((r) =>
      activityId ? { ...r, replyToId: activityId } : r,
    );
  }

  /** The replies a recent activity was answered with, for a channel's retry of it. */
  private repliesOf(seen: RecentTurn): Partial<Activity>[] {
    if (seen.replies) return seen.replies;
    const locale = seen.locale ?? this.options.localeOf(undefined);
    return [...this.rendered(seen.said ?? [], locale, seen.intent, seen.activityId), ...(seen.events ?? [])];
  }

  /** HANDOFF_MODE=protocol: `handoff.initiate` for the channel's agent hub, with the masked transcript. */
  private async handoffEvents(context: TurnContext, result: ChartTurn, conversationId: string): Promise<Partial<Activity>[]> {
    if (result.handoffs.length === 0) return [];
    const lines = (await this.options.transcripts?.recent(conversationId, HANDOFF_TRANSCRIPT_LINES)) ?? [];
    const customer = context.activity.from;
    const bot = context.activity.recipient;
    const activities = lines.map((line) => ({
      type: 'message',
      text: line.text,
      timestamp: new Date(line.at).toISOString(),
      from: line.from === 'customer' ? { ...customer, role: 'user' } : { ...bot, role: 'bot' },
    })) as unknown as Activity[];
    return result.handoffs.map((h) =>
      EventFactory.createHandoffInitiation(
        context,
        { ticket: h.ticket, reason: h.reason, locale: result.context.locale, context: h.context },
        { activities },
      ),
    );
  }

  /** Where the customer of a conversation can be reached, from its last turn. */
  async referenceOf(key: string): Promise<Partial<ConversationReference> | undefined> {
    return (await this.load(key))?.reference;
  }

  private async load(key: string): Promise<ConversationDoc | undefined> {
    const held = this.warm?.held.get(key);
    if (this.warm && held) {
      const stored = await this.warm.store.readUnlessUnchanged(key, held.eTag);
      // Still what this process wrote: no need to decrypt and parse it again.
      if (stored === UNCHANGED) return { ...held.value, eTag: held.eTag };
      this.warm.held.delete(key);
      return stored as ConversationDoc | undefined;
    }
    const items = await this.options.storage.read([key]);
    return items[key] as ConversationDoc | undefined;
  }

  private async save(key: string, doc: ConversationDoc): Promise<void> {
    if (!this.warm) {
      await this.options.storage.write({ [key]: doc });
      return;
    }
    try {
      const eTag = await this.warm.store.writeOne(key, doc);
      const { eTag: _previous, ...value } = doc;
      this.warm.held.set(key, eTag, value);
    } catch (error) {
      this.warm.held.delete(key);
      throw error;
    }
  }
}

/** `{ [field]: value }` of the last reply that has the field (what the turn ended up asking), or `{}`. */
function lastOf<F extends 'expecting' | 'otpTarget'>(said: Reply[], field: F): Partial<Pick<Reply, F>> {
  const reply = [...said].reverse().find((r) => r[field] !== undefined);
  return reply ? ({ [field]: reply[field] } as Partial<Pick<Reply, F>>) : {};
}

/** A change in progress: the only state that expires (its details are dropped). */
function inChange(snapshot: Snapshot<unknown>): boolean {
  const value = (snapshot as { value?: unknown }).value;
  return typeof value === 'object' && value !== null && 'changing' in value;
}

function listenMode(held: Partial<ChartContext> | undefined): ListenMode {
  const status = held?.handoff?.status;
  if (status === 'withAgent' || status === 'channel') return 'relay';
  if (status === 'waiting' || held?.expecting === 'callbackTime') return 'limited';
  return 'normal';
}

/** The bot's side of a turn for the transcript: what the customer read, line by line. */
function transcriptLines(said: Reply[], replies: Partial<Activity>[]): Array<Pick<TranscriptLine, 'from' | 'text'>> {
  return said.flatMap((reply, i) => {
    const text = replies[i]?.text;
    if (typeof text !== 'string' || text === '') return [];
    // An agent's message is already on the ticket; in the conversation's transcript it is the agent's.
    return [{ from: reply.handoff?.from === 'agent' ? ('agent' as const) : ('bot' as const), text }];
  });
}
