/**
 * The change-of-number funnel: how far conversations get, where they stop, how many finish without a
 * person. Pure: events in, numbers out (the events come from a FunnelLog).
 */

/** The steps of a change in order. Each means "got past": `cardNumber` = the card was taken. */
export const FUNNEL_STEPS = [
  'started',
  'cardNumber',
  'idNumber',
  'oldPhone',
  'oldPhoneReachable',
  'otpOld',
  'newPhone',
  'otpNew',
  'confirm',
] as const;
/** How a change ended (the chart's outcomes). */
export const FUNNEL_ENDINGS = ['phoneChanged', 'handedOff', 'cancelled', 'locked', 'rejected'] as const;

export type FunnelStage = (typeof FUNNEL_STEPS)[number];
export type FunnelEnding = (typeof FUNNEL_ENDINGS)[number];
export type FunnelStep = FunnelStage | FunnelEnding;

export interface FunnelEvent {
  /** A hash of the conversation, never its id. */
  conversation: string;
  step: FunnelStep;
  /** Epoch ms. */
  at: number;
}

/** What a turn must tell to place it in the funnel (the bot's `TurnInfo` fits). */
export interface FunnelTurn {
  outcome?: string;
  /** What the last reply that asked something asked for. */
  expecting?: string;
  /** With `expecting: otp`: which number the code went to. */
  otpTarget?: 'old' | 'new';
  replayed: boolean;
}

/** Being asked X means the step before X was got past. */
const REACHED_BY_QUESTION: Record<string, FunnelStage> = {
  cardNumber: 'started',
  idNumber: 'cardNumber',
  oldPhone: 'idNumber',
  oldPhoneReachable: 'oldPhone',
  'otp/old': 'oldPhoneReachable',
  newPhone: 'otpOld',
  'otp/new': 'newPhone',
  confirm: 'otpNew',
};

const isEnding = (s: string): s is FunnelEnding => (FUNNEL_ENDINGS as readonly string[]).includes(s);
const isStep = (s: string): s is FunnelStep => isEnding(s) || (FUNNEL_STEPS as readonly string[]).includes(s);

/**
 * The funnel step a turn shows, if any: its outcome when a flow ended, else the step the last
 * question shows was got past. A retry answered from the record shows nothing new.
 */
export function funnelStep(turn: FunnelTurn): FunnelStep | undefined {
  if (turn.replayed) return undefined;
  if (turn.outcome !== undefined && isEnding(turn.outcome)) return turn.outcome;
  if (turn.expecting === undefined) return undefined;
  const question = turn.expecting === 'otp' ? `otp/${turn.otpTarget ?? 'old'}` : turn.expecting;
  return REACHED_BY_QUESTION[question];
}

export interface FunnelStepCount {
  step: FunnelStage;
  /** Conversations that got at least this far. */
  count: number;
  /** Of the conversations that started (0–1). */
  ofStarted: number;
  /** Of the step before (0–1; 1 for `started`). */
  ofPrevious: number;
}

export interface FunnelReport {
  /** Conversations in which a change began. */
  started: number;
  steps: FunnelStepCount[];
  /** How each started conversation ended last; `open`: no ending yet (left, or still going). */
  endings: Record<FunnelEnding | 'open', number>;
  /** Number changed, no person involved at any point of the change. */
  contained: number;
  /** contained / started (0 when nothing started). */
  containmentRate: number;
}

/**
 * Per conversation: a change began at its first step event (a later step implies the start: one
 * sentence may carry several details); the furthest step reached counts (a detail asked again, or
 * corrected, does not undo progress); a number changed counts as confirmed; the ending is the last
 * one after the start; contained = ended with the number changed and never handed off.
 * Endings before any change began (a person asked for from the menu) are not part of the funnel.
 */
export function computeFunnel(events: ReadonlyArray<{ conversation: string; step: string; at: number }>): FunnelReport {
  // Stable sort: events of the same millisecond keep the order they were recorded in.
  const ordered = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  const byConversation = new Map<string, { furthest: number; last?: FunnelEnding; handedOff: boolean }>();
  for (const { e } of ordered) {
    if (!isStep(e.step)) continue;
    let c = byConversation.get(e.conversation);
    if (isEnding(e.step)) {
      if (!c) continue;
      c.last = e.step;
      if (e.step === 'handedOff') c.handedOff = true;
      if (e.step === 'phoneChanged') c.furthest = FUNNEL_STEPS.length - 1;
      continue;
    }
    if (!c) {
      c = { furthest: 0, handedOff: false };
      byConversation.set(e.conversation, c);
    }
    c.furthest = Math.max(c.furthest, FUNNEL_STEPS.indexOf(e.step));
  }

  const conversations = [...byConversation.values()];
  const started = conversations.length;
  const ratio = (n: number, of: number) => (of === 0 ? 0 : n / of);
  let previous = started;
  const steps = FUNNEL_STEPS.map((step, index) => {
    const count = conversations.filter((c) => c.furthest >= index).length;
    const row = { step, count, ofStarted: ratio(count, started), ofPrevious: index === 0 ? ratio(count, started) : ratio(count, previous) };
    previous = count;
    return row;
  });
  const endings = Object.fromEntries([...FUNNEL_ENDINGS, 'open'].map((k) => [k, 0])) as FunnelReport['endings'];
  for (const c of conversations) endings[c.last ?? 'open'] += 1;
  const contained = conversations.filter((c) => c.last === 'phoneChanged' && !c.handedOff).length;
  return { started, steps, endings, contained, containmentRate: ratio(contained, started) };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The report as plain text, for a terminal. */
export function formatFunnel(report: FunnelReport): string {
  const width = Math.max(...[...FUNNEL_STEPS, ...FUNNEL_ENDINGS].map((s) => s.length)) + 2;
  const lines = [`Conversations that started a change: ${report.started}`, '', 'Reached (of started, of previous step):'];
  for (const s of report.steps) {
    lines.push(`  ${s.step.padEnd(width)}${String(s.count).padStart(7)}  ${pct(s.ofStarted).padStart(7)}  ${pct(s.ofPrevious).padStart(7)}`);
  }
  lines.push('', 'Ended (last ending of each conversation):');
  for (const [ending, n] of Object.entries(report.endings)) {
    lines.push(`  ${ending.padEnd(width)}${String(n).padStart(7)}  ${pct(report.started === 0 ? 0 : n / report.started).padStart(7)}`);
  }
  lines.push('', `Containment (number changed, no person involved): ${report.contained} / ${report.started} = ${pct(report.containmentRate)}`);
  return lines.join('\n');
}
