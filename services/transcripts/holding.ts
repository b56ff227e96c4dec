import { maskLineText, type TranscriptStore } from './index';

/** A line as it is given to `append` (not masked yet), with when it was said. */
type Line = Required<Parameters<TranscriptStore['append']>[1][number]>;

/**
 * A transcript store that can hold a turn's first lines (what the customer said) until the turn's
 * own lines (what the bot answered) are appended: then they are written together, in one write,
 * the held ones first. Until then `recent` reads them after the stored ones, so whatever copies the
 * conversation during the turn (a handoff's ticket, the channel's agent hub) copies them too.
 */
export interface HoldingTranscripts extends TranscriptStore {
  /** Holds `lines` of `conversationId` for the next `append` (or `release`); `at` is when they were said. */
  hold(conversationId: string, lines: ReadonlyArray<Line>): void;
  /** Writes what is still held for `conversationId` (a turn that ended without its append). */
  release(conversationId: string): Promise<void>;
  /** How many lines of `conversationId` are held, not written yet. */
  heldLines(conversationId: string): number;
}

/**
 * `store`, holding lines as `HoldingTranscripts` says. Turns of one conversation run one at a time,
 * so a conversation has at most one turn's lines held. Held lines are in this process's memory only
 * until the turn's append: the same as a write in the group commit's open transaction, which is on
 * disk only once the turn's replies are about to be sent.
 */
export function holdingTranscripts(store: TranscriptStore): HoldingTranscripts {
  const held = new Map<string, Line[]>();
  const append: TranscriptStore['append'] = async (conversationId, lines) => {
    const before = held.get(conversationId);
    await store.append(conversationId, before ? [...before, ...lines] : lines);
    // Written: no longer held (unless more came meanwhile, which are held still).
    if (before && held.get(conversationId) === before) held.delete(conversationId);
  };
  return {
    hold(conversationId, lines) {
      if (lines.length === 0) return;
      held.set(conversationId, [...(held.get(conversationId) ?? []), ...lines]);
    },
    async release(conversationId) {
      if (held.has(conversationId)) await append(conversationId, []);
    },
    heldLines: (conversationId) => held.get(conversationId)?.length ?? 0,
    append,
    async recent(conversationId, limit = 50) {
      const stored = await store.recent(conversationId, limit);
      const waiting = held.get(conversationId);
      if (!waiting) return stored;
      const lines = waiting.map((line) => ({ at: line.at, from: line.from, text: maskLineText(line.text) }));
      return [...stored, ...lines].slice(-limit);
    },
    async forget(conversationId) {
      held.delete(conversationId);
      return store.forget(conversationId);
    },
    purgeOlderThan: (cutoffMs) => store.purgeOlderThan(cutoffMs),
  };
}
