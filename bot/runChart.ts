import { createActor, waitFor, type Actor, type Snapshot } from 'xstate';
import { EFFECTS_ACTOR, type ChangePhoneMachine } from '../dialogs/changePhone';
import type { ActedIntent, ChartContext, ChartEmitted, ChartEvent, Reply } from '../dialogs/types';

export interface ChartTurn {
  replies: Reply[];
  /** The first thing the chart said it acted on, if anything. */
  acted?: { intent: ActedIntent; faqId?: string };
  /** Handoffs to the channel's agent hub started this turn (HANDOFF_MODE=protocol). */
  handoffs: Array<Extract<ChartEmitted, { type: 'handoffInitiated' }>>;
  /** Plain JSON, safe to store: taken only when no effect is running. */
  snapshot: Snapshot<unknown>;
  /** The chart's context after the turn. */
  context: ChartContext;
  /** The top-level state after the turn, e.g. 'idle'. */
  stateValue: unknown;
  /**
   * The chart's actor, still running and at rest (no effect under way): it is exactly where `snapshot`
   * says, so the next turn may go on with it instead of restoring the snapshot. Stopped when the turn
   * failed; whoever does not keep it may stop it.
   */
  actor: ChartActor;
}

export type ChartActor = Actor<ChangePhoneMachine>;

/**
 * One turn of the chart: restore (or take up the actor of the previous turn, `warm`), send the events
 * one by one, wait after each until no effect is running (never persist mid-invoke: a pending effect
 * would restart on restore), then persist.
 */
export async function runChart(
  machine: ChangePhoneMachine,
  options: {
    conversationId: string;
    snapshot?: Snapshot<unknown>;
    events: ChartEvent[];
    timeoutMs: number;
    /** The running actor the previous turn left at `snapshot`, when it is still at hand. */
    warm?: ChartActor;
  },
): Promise<ChartTurn> {
  const actor =
    options.warm ??
    createActor(machine, {
      input: { conversationId: options.conversationId },
      ...(options.snapshot ? { snapshot: withEffectsActor(options.snapshot) } : {}),
    });
  const replies: Reply[] = [];
  const handoffs: ChartTurn['handoffs'] = [];
  let acted: ChartTurn['acted'];
  const listening = [
    actor.on('handoffInitiated', (e) => handoffs.push(e)),
    actor.on('reply', (e) => replies.push(e.reply)),
    actor.on('acted', (e) => {
      acted ??= { intent: e.intent, ...(e.faqId ? { faqId: e.faqId } : {}) };
    }),
  ];
  if (!options.warm) actor.start();
  let done = false;
  try {
    if (actor.getSnapshot().status === 'error') throw new Error('stored conversation state cannot be restored');
    for (const event of options.events) {
      actor.send(event);
      // Most events run no effect: only a busy chart is waited for (a wait costs a timer and a tick).
      if (actor.getSnapshot().hasTag('busy')) await waitFor(actor, (s) => !s.hasTag('busy'), { timeout: options.timeoutMs });
      const s = actor.getSnapshot();
      if (s.status === 'error') throw new Error('the chart failed', { cause: s.error });
    }
    const snap = actor.getSnapshot();
    const turn = {
      replies,
      acted,
      handoffs,
      snapshot: withoutEffectsActor(actor.getPersistedSnapshot()),
      context: snap.context,
      stateValue: snap.value,
      actor,
    };
    done = true;
    return turn;
  } finally {
    for (const subscription of listening) subscription.unsubscribe();
    if (!done) actor.stop();
  }
}

/*
 * The chart's `effects` actor (dialogs/changePhone/effects.ts) holds nothing of the conversation:
 * it is left out of what is stored, and made again, at rest, when a stored conversation is restored.
 * So a stored snapshot is the same as before there was such an actor, and one stored then restores.
 */
type StoredChildren = Record<string, unknown>;

function withoutEffectsActor<S extends object>(snapshot: S): S {
  const { children } = snapshot as { children?: StoredChildren };
  if (!children || !(EFFECTS_ACTOR in children)) return snapshot;
  const { [EFFECTS_ACTOR]: _effects, ...rest } = children;
  return { ...snapshot, children: rest };
}

function withEffectsActor<S extends object>(snapshot: S): S {
  const { children } = snapshot as { children?: StoredChildren };
  if (children && EFFECTS_ACTOR in children) return snapshot;
  // As xstate stores an actor it invoked by name (the chart invokes it under its own name): its
  // snapshot (a callback actor's has only its status) and its source.
  const effects = { snapshot: { status: 'active' }, src: EFFECTS_ACTOR };
  return { ...snapshot, children: { ...children, [EFFECTS_ACTOR]: effects } };
}
