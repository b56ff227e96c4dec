/**
 * Statechart coverage: which states and transitions of a chart some runs went through.
 *
 * Both lists are read from the chart itself (its state nodes and their transitions), never written
 * by hand, so a state or a transition added to the chart counts as not covered until a run takes it.
 * A run is recorded through XState's inspection API: every microstep names the transitions it took
 * and the state it reached, including transient states such as `routing`, which no turn ends in.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition, InspectionEvent, StateValue } from 'xstate';

/** One transition of the chart: an entry of a state's `on`, `always`, `after`, `onDone` or `onError`. */
export interface ChartTransition {
  /** Stable and readable, e.g. `rebind.idle SAID#0 [intentIs changePhone] → rebind.changing`. */
  key: string;
  /** The state node that owns it. */
  source: string;
  /** `SAID`, `always`, `done(verifyIdentity)`, `error(verifyIdentity)`, `after(1000)`… */
  event: string;
  /** Its place among the candidates for the same event in the same state (tried in this order). */
  index: number;
  /** The named guard, or an inline guard's own code (shortened), if any. */
  guard?: string;
  /** Target state ids; none for a transition that only runs actions. */
  targets: string[];
}

/** Every state of the chart (all state node ids below the root, compound and atomic). */
export function chartStates(machine: AnyStateMachine): string[] {
  return descendants(machine.root).map((node) => node.id);
}

/** Every transition of the chart, from every state node, the root included. */
export function chartTransitions(machine: AnyStateMachine): ChartTransition[] {
  return [machine.root, ...descendants(machine.root)].flatMap((node) => {
    const lists: AnyTransitionDefinition[][] = [...node.transitions.values()];
    if (node.always) lists.push(node.always);
    return lists.flatMap((list) => list.map((def, index) => describe(def, index)));
  });
}

/** The key of a transition the chart took (as inspection reports it), or undefined for an initial one. */
export function transitionKey(def: AnyTransitionDefinition): string | undefined {
  const source: AnyStateNode = def.source;
  const list = isAlways(def) ? source.always : source.transitions.get(def.eventType);
  const index = list?.indexOf(def) ?? -1;
  return index < 0 ? undefined : describe(def, index).key;
}

/** The ids of the states a state value stands for, compound states included: `{ changing: 'routing' }` → both. */
export function activeStateIds(machine: AnyStateMachine, value: StateValue): string[] {
  const ids: string[] = [];
  const walk = (node: AnyStateNode, v: StateValue) => {
    const entries: Array<[string, StateValue | undefined]> = typeof v === 'string' ? [[v, undefined]] : Object.entries(v);
    for (const [key, inner] of entries) {
      const child = node.states[key];
      if (!child) continue;
      ids.push(child.id);
      if (inner !== undefined) walk(child, inner);
    }
  };
  walk(machine.root, value);
  return ids;
}

/** Collects the states and transitions that runs of a chart went through; pass `inspect` to `createActor`. */
export class CoverageRecorder {
  readonly states = new Set<string>();
  readonly transitions = new Set<string>();

  constructor(private readonly machine: AnyStateMachine) {}

  readonly inspect = (event: InspectionEvent): void => {
    if (event.type === '@xstate.microstep') {
      for (const def of event._transitions) {
        const key = transitionKey(def);
        if (key) this.transitions.add(key);
      }
      this.reached(event.snapshot);
    } else if (event.type === '@xstate.snapshot' && event.actorRef.sessionId === event.rootId) {
      // The initial state is reached without a transition of its own.
      this.reached(event.snapshot);
    }
  };

  private reached(snapshot: unknown): void {
    const value = (snapshot as { value?: StateValue }).value;
    if (value === undefined) return;
    for (const id of activeStateIds(this.machine, value)) this.states.add(id);
  }
}

export interface CoverageFigures {
  total: number;
  covered: number;
  /** covered / total, in percent, one decimal. */
  percent: number;
  /** What no run went through, in the chart's order. */
  missing: string[];
}

export interface CoverageReport {
  states: CoverageFigures;
  transitions: CoverageFigures;
}

/** What was covered out of what the chart has. */
export function coverageReport(machine: AnyStateMachine, recorder: Pick<CoverageRecorder, 'states' | 'transitions'>): CoverageReport {
  return {
    states: figures(chartStates(machine), recorder.states),
    transitions: figures(
      chartTransitions(machine).map((t) => t.key),
      recorder.transitions,
    ),
  };
}

/** `states 23/23 (100%), transitions 118/121 (97.5%)` */
export function formatCoverage(report: CoverageReport): string {
  const f = (c: CoverageFigures) => `${c.covered}/${c.total} (${c.percent}%)`;
  return `states ${f(report.states)}, transitions ${f(report.transitions)}`;
}

// ---- inside ------------------------------------------------------------------------------------

function descendants(node: AnyStateNode): AnyStateNode[] {
  return Object.values(node.states).flatMap((child) => [child, ...descendants(child)]);
}

function isAlways(def: AnyTransitionDefinition): boolean {
  return def.eventType === '';
}

/**
 * `EFFECT_DONE` in a state that asks for `requestAgent` (its `meta.effect`), or
 * `xstate.done.actor.0.rebind.handingOff` where it invokes it → `done(requestAgent)`: the effect's name.
 */
function eventLabel(def: AnyTransitionDefinition): string {
  if (isAlways(def)) return 'always';
  const type = def.eventType;
  const asked = (def.source.meta as { effect?: unknown } | undefined)?.effect;
  if ((type === 'EFFECT_DONE' || type === 'EFFECT_FAILED') && typeof asked === 'string') {
    return `${type === 'EFFECT_DONE' ? 'done' : 'error'}(${asked})`;
  }
  const actor = /^xstate\.(done|error)\.actor\.(.+)$/.exec(type);
  if (actor) {
    const invoke = def.source.invoke.find((i: { id: string }) => i.id === actor[2]);
    return `${actor[1]}(${typeof invoke?.src === 'string' ? invoke.src : actor[2]})`;
  }
  const after = /^xstate\.after\.(.+?)\./.exec(type);
  return after ? `after(${after[1]})` : type;
}

/** XState's `or([...])`, `and([...])` and `not(...)`: a function named for itself, holding its guards. */
const COMBINED: Record<string, (labels: string[]) => string> = {
  or: (labels) => labels.join(' | '),
  and: (labels) => labels.join(' & '),
  not: (labels) => `!${labels.join('')}`,
};

function guardLabel(guard: unknown): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const { guards } = guard as { guards?: unknown[] };
    const combine = COMBINED[guard.name];
    if (combine && Array.isArray(guards)) return combine(guards.map((g) => guardLabel(g) ?? 'guarded'));
    return inlineGuard(guard);
  }
  const { type, params } = guard as { type?: string; params?: unknown };
  if (!type) return 'guarded';
  if (params === undefined || typeof params === 'function') return type;
  const values = Object.values(params as Record<string, unknown>).map(String);
  return [type, ...values].join(' ');
}

/** `({ event }) => event.output.result === 'ok'` → `event.output.result === 'ok'` */
function inlineGuard(guard: { toString(): string }): string {
  const body = guard
    .toString()
    .replace(/^[^=]*=>\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();
  return body.length > 80 ? `${body.slice(0, 79)}…` : body;
}

function describe(def: AnyTransitionDefinition, index: number): ChartTransition {
  const source = def.source.id as string;
  const event = eventLabel(def);
  const guard = guardLabel(def.guard);
  const targets = (def.target ?? []).map((t: AnyStateNode) => t.id as string);
  const to = targets.length ? targets.join(', ') : '(stays)';
  const reenter = def.reenter && targets.length ? ' (re-entered)' : '';
  const key = `${source} ${event}#${index}${guard ? ` [${guard}]` : ''} → ${to}${reenter}`;
  return { key, source, event, index, ...(guard ? { guard } : {}), targets };
}

function figures(all: string[], seen: ReadonlySet<string>): CoverageFigures {
  const missing = all.filter((k) => !seen.has(k));
  const covered = all.length - missing.length;
  const percent = all.length === 0 ? 100 : Math.floor((covered / all.length) * 1000) / 10;
  return { total: all.length, covered, percent, missing };
}
