import { createActor, waitFor, type Snapshot } from 'xstate';
import type { ChangePhoneMachine } from '../dialogs/changePhone';
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
}

/**
 * One turn of the chart: restore, send the events one by one, wait after each until no effect is
 * running (never persist mid-invoke: a pending effect would restart on restore), then persist.
 */
export async function runChart(
  machine: ChangePhoneMachine,
  options: {
    conversationId: string;
    snapshot?: Snapshot<unknown>;
    events: ChartEvent[];
    timeoutMs: number;
  },
): Promise<ChartTurn> {
  const actor = createActor(machine, {
    input: { conversationId: options.conversationId },
    ...(options.snapshot ? { snapshot: options.snapshot } : {}),
  });
  const replies: Reply[] = [];
  const handoffs: ChartTurn['handoffs'] = [];
  let acted: ChartTurn['acted'];
  actor.on('handoffInitiated', (e) => handoffs.push(e));
  actor.on('reply', (e) => replies.push(e.reply));
  actor.on('acted', (e) => {
    acted ??= { intent: e.intent, ...(e.faqId ? { faqId: e.faqId } : {}) };
  });
  actor.start();
  try {
    if (actor.getSnapshot().status === 'error') throw new Error('stored conversation state cannot be restored');
    for (const event of options.events) {
      actor.send(event);
      await waitFor(actor, (s) => !s.hasTag('busy'), { timeout: options.timeoutMs });
      const s = actor.getSnapshot();
      if (s.status === 'error') throw new Error('the chart failed', { cause: s.error });
    }
    const snap = actor.getSnapshot();
    return {
      replies,
      acted,
      handoffs,
      snapshot: actor.getPersistedSnapshot(),
      context: snap.context,
      stateValue: snap.value,
    };
  } finally {
    actor.stop();
  }
}
