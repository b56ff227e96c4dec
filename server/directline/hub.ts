import type { Activity } from 'botbuilder';

/** A message to a client's stream: what Direct Line 3.0 sends on its WebSocket. */
export interface ActivitySet {
  activities: Partial<Activity>[];
  watermark?: string;
}

export type Listener = (set: ActivitySet) => void;

interface Conversation {
  id: string;
  userId: string;
  /** The language the page asked for when it got its token (for the welcome). */
  locale?: string;
  started: boolean;
  activities: Partial<Activity>[];
  /** Sequence number of the last stored activity. */
  seq: number;
  listeners: Set<Listener>;
  lastUsed: number;
}

/**
 * The conversations of the local Direct Line, in memory: each keeps its activities (masked echoes
 * of what the customer sent, and the bot's replies) with a watermark, and pushes new ones to the
 * connected streams at once.
 */
export class DirectLineHub {
  private readonly conversations = new Map<string, Conversation>();
  private lastSweep = 0;

  constructor(
    private readonly options: {
      clock?: () => number;
      /** Activities kept per conversation (older ones are dropped). */
      keep?: number;
      /** A conversation unused this long is forgotten. */
      idleMs?: number;
    } = {},
  ) {}

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  open(id: string, userId: string, locale?: string): { created: boolean } {
    const existing = this.conversations.get(id);
    if (existing) {
      existing.lastUsed = this.now();
      return { created: false };
    }
    this.sweep();
    this.conversations.set(id, {
      id,
      userId,
      locale,
      started: false,
      activities: [],
      seq: 0,
      listeners: new Set(),
      lastUsed: this.now(),
    });
    return { created: true };
  }

  has(id: string): boolean {
    return this.conversations.has(id);
  }

  localeOf(id: string): string | undefined {
    return this.conversations.get(id)?.locale;
  }

  /** Marks the conversation started; true the first time (the bot is then told someone joined). */
  start(id: string): boolean {
    const c = this.conversations.get(id);
    if (!c || c.started) return false;
    c.started = true;
    return true;
  }

  /** Stores an activity, gives it an id, and sends it to every open stream. Returns its id. */
  append(id: string, activity: Partial<Activity>): string {
    const c = this.conversations.get(id);
    if (!c) throw new Error('unknown conversation');
    c.seq += 1;
    c.lastUsed = this.now();
    const stored: Partial<Activity> = {
      ...activity,
      id: `${id}|${String(c.seq).padStart(7, '0')}`,
      timestamp: activity.timestamp ?? new Date(this.now()),
      conversation: { id, isGroup: false, conversationType: 'personal', name: '' },
    };
    c.activities.push(stored);
    const keep = this.options.keep ?? 500;
    if (c.activities.length > keep) c.activities.splice(0, c.activities.length - keep);
    const set = { activities: [stored], watermark: String(c.seq) };
    for (const listener of c.listeners) listener(set);
    return stored.id as string;
  }

  /** Sends an activity to the open streams without storing it (the bot's typing indicator). */
  signal(id: string, activity: Partial<Activity>): void {
    const c = this.conversations.get(id);
    if (!c) return;
    const set = { activities: [{ ...activity, conversation: { id, isGroup: false, conversationType: 'personal', name: '' } }] };
    for (const listener of c.listeners) listener(set);
  }

  /** Activities after a watermark (all when it is missing or not a number). */
  since(id: string, watermark?: string): ActivitySet {
    const c = this.conversations.get(id);
    if (!c) return { activities: [] };
    const after = Number.parseInt(watermark ?? '', 10);
    const from = Number.isFinite(after) ? after : 0;
    const activities = c.activities.filter((a) => Number((a.id ?? '').split('|').pop()) > from);
    return { activities, watermark: String(c.seq) };
  }

  subscribe(id: string, listener: Listener): () => void {
    const c = this.conversations.get(id);
    if (!c) return () => undefined;
    c.listeners.add(listener);
    return () => c.listeners.delete(listener);
  }

  /**
   * Forgets conversations nobody has used for a while, unless a stream is still open. Runs when a
   * conversation is created, at most once a minute: not on every request.
   */
  private sweep(): void {
    const idleMs = this.options.idleMs ?? 2 * 60 * 60_000;
    const now = this.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [id, c] of this.conversations) {
      if (c.listeners.size === 0 && now - c.lastUsed > idleMs) this.conversations.delete(id);
    }
  }
}
