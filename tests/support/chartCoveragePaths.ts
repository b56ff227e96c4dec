/**
 * Test paths generated from a chart with `@xstate/graph`, then run on the real chart.
 *
 * The graph: `@xstate/graph` explores the chart with its pure `transition` (no actor, no effect
 * runs), trying the sample events a model gives for each state. A state that runs an effect waits
 * for its result: asked of the chart's `effects` actor (`meta.effect` names it, dialogs/changePhone/
 * effects.ts), the result comes as `EFFECT_DONE` (or `EFFECT_FAILED`); from an actor the state
 * invokes, as `xstate.done.actor.<id>` (or `xstate.error.actor.<id>`). In such a state the graph
 * tries exactly those, one per sample outcome of the effect. `serializeState` decides which
 * snapshots are one node of the graph; it keeps only what the chart's guards read, so the graph
 * stays small.
 *
 * The paths: for each edge of the graph, the shortest path to its source, then its event; kept when
 * it takes a state or a transition of the chart that no shorter kept path takes. So every state and
 * every transition the graph can reach is taken, by a few dozen paths instead of one per edge.
 *
 * The run: each path goes through a real actor of the chart, one customer (or agent) event at a
 * time, as turns; each effect is a fake that answers what the path says it answers next, in order.
 * After each turn the actor must be where the graph said it would be (by `serializeState`): a
 * mismatch means the serialisation dropped something that matters, and the test says where.
 */
import { getAdjacencyMap, getShortestPaths, type AdjacencyMap } from '@xstate/graph';
import {
  createActor,
  type AnyActorScope,
  fromPromise,
  waitFor,
  type AnyActorLogic,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type AnyStateNode,
  type EventObject,
  type InspectionEvent,
} from 'xstate';
import { CoverageRecorder } from './chartCoverage';
import { EFFECTS_ACTOR, effectsActor } from '../../dialogs/changePhone';
import type { ChartEffects, EffectName } from '../../dialogs/types';

/** What an effect may answer: a result, or a failure. */
export type EffectOutcome = { output: unknown } | { error: unknown };

export interface ChartModel {
  /** The chart, explored as it is: the graph never runs an effect. */
  machine: AnyStateMachine;
  input?: unknown;
  /**
   * The sample events to try in a state where no effect runs (the customer's messages, commands,
   * the agent side's events…). Events the state does not handle at all are left out for it.
   */
  events(snapshot: AnyMachineSnapshot): EventObject[];
  /** What each effect, by its name in the chart (`src`), may answer. */
  outcomes: Record<string, EffectOutcome[]>;
  /** What matters of a snapshot for what can happen next: equal strings are one node of the graph. */
  serializeState(snapshot: AnyMachineSnapshot): string;
}

export interface PathStep {
  event: EventObject;
  /** The snapshot the graph says the chart is in after `event`. */
  state: AnyMachineSnapshot;
}

/** From the initial state (the first step is `xstate.init`) through one edge of the graph. */
export interface ChartPath {
  steps: PathStep[];
}

export interface ChartGraph {
  /** Nodes of the graph (distinct serialized states). */
  states: number;
  /** Edges: (node, sample event) pairs tried. */
  edges: number;
  /** The paths to run: each takes a state or a transition of the chart that no path before it takes. */
  paths: ChartPath[];
}

/**
 * The effects running in a snapshot: those its active state nodes ask the `effects` actor for
 * (`meta.effect`; the id is the effect's name), and the actors they invoke (but the `effects` actor itself).
 */
export function runningEffects(snapshot: AnyMachineSnapshot): Array<{ id: string; src: string; asked: boolean }> {
  return snapshot._nodes.flatMap((node) => {
    const asked = (node.meta as { effect?: unknown } | undefined)?.effect;
    const invoked = node.invoke
      .filter((i: { id: string }) => i.id !== EFFECTS_ACTOR)
      .map((i: { id: string; src: unknown }) => ({ id: i.id, src: typeof i.src === 'string' ? i.src : i.id, asked: false }));
    return typeof asked === 'string' ? [{ id: asked, src: asked, asked: true }, ...invoked] : invoked;
  });
}

/** The events the graph tries in a snapshot: effect results while an effect runs, else the model's samples. */
export function graphEvents(model: ChartModel): (snapshot: AnyMachineSnapshot) => EventObject[] {
  return (snapshot) => {
    const running = runningEffects(snapshot);
    if (running.length > 0) {
      return running.flatMap(({ id, src, asked }) => {
        const outcomes = model.outcomes[src];
        if (!outcomes?.length) {
          throw new Error(`no sample outcomes for the effect '${src}' (invoked as ${id}): add them to the model's outcomes`);
        }
        if (asked) {
          return outcomes.map((o) =>
            'output' in o ? { type: 'EFFECT_DONE', effect: src, output: o.output } : { type: 'EFFECT_FAILED', effect: src, error: o.error },
          );
        }
        return outcomes.map((o) =>
          'output' in o ? { type: `xstate.done.actor.${id}`, output: o.output } : { type: `xstate.error.actor.${id}`, error: o.error },
        );
      });
    }
    const handled = new Set(snapshot._nodes.flatMap((node) => [...node.transitions.keys()]));
    return model.events(snapshot).filter((e) => handled.has(e.type));
  };
}

/**
 * Which states and transitions of the chart one step takes, found with the chart's pure
 * `transition` and XState's inspection events (no effect runs: the actor scope does nothing).
 */
function createStepPredictor(machine: AnyStateMachine, input: unknown) {
  const observer = createActor(machine, input !== undefined ? { input } : {}); // never started: lends its system
  let recorder: CoverageRecorder | undefined;
  observer.system.inspect((e) => recorder?.inspect(e));
  // The same do-nothing scope @xstate/graph walks the chart with, but on a system we can listen to.
  const scope = {
    self: observer,
    id: '',
    sessionId: observer.sessionId,
    logger: () => undefined,
    defer: () => undefined,
    system: observer.system,
    stopChild: () => undefined,
    emit: () => undefined,
    actionExecutor: () => undefined,
  } as unknown as AnyActorScope; // the fields the chart's transition reads; the rest is the actor's own
  const memo = new Map<string, string[]>();
  return (from: AnyMachineSnapshot, key: string, event: EventObject): string[] => {
    const id = `${key}\n${JSON.stringify(event)}`;
    let taken = memo.get(id);
    if (!taken) {
      recorder = new CoverageRecorder(machine);
      machine.transition(from, event, scope);
      taken = [...[...recorder.states].map((s) => `state ${s}`), ...recorder.transitions];
      recorder = undefined;
      memo.set(id, taken);
    }
    return taken;
  };
}

/**
 * The graph of the chart, and paths through it: for each edge, the shortest path to its source
 * and then its event. Of those, in order of length, a path is kept when it takes a state or a
 * transition of the chart that no kept path takes (the rest would only repeat them), and a kept
 * path that is the beginning of another kept path is run as part of it.
 */
export function coveringPaths(model: ChartModel): ChartGraph {
  const options = {
    events: graphEvents(model),
    serializeState: (s: AnyMachineSnapshot) => model.serializeState(s),
    input: model.input,
  };
  const adjacency: AdjacencyMap<AnyMachineSnapshot, EventObject> = getAdjacencyMap(model.machine, options);
  const shortest = new Map(getShortestPaths(model.machine, options).map((p) => [model.serializeState(p.state), p]));
  const edgePaths: ChartPath[] = [];
  for (const [key, { transitions }] of Object.entries(adjacency)) {
    const head = shortest.get(key);
    if (!head) throw new Error(`no path to ${key}`);
    // (Keyed by a branded string, which Object.values does not see through.)
    const edges = Object.values(transitions) as Array<{ event: EventObject; state: AnyMachineSnapshot }>;
    for (const { event, state } of edges) edgePaths.push({ steps: [...head.steps, { event, state }] });
  }
  edgePaths.sort((a, b) => a.steps.length - b.steps.length);

  const takes = createStepPredictor(model.machine, model.input);
  const taken = new Set<string>();
  const kept: ChartPath[] = [];
  for (const path of edgePaths) {
    const news: string[] = [];
    for (let i = 1; i < path.steps.length; i++) {
      const from = (path.steps[i - 1] as PathStep).state;
      for (const t of takes(from, model.serializeState(from), (path.steps[i] as PathStep).event)) if (!taken.has(t)) news.push(t);
    }
    if (news.length === 0) continue;
    for (const t of news) taken.add(t);
    kept.push(path);
  }
  return { states: Object.keys(adjacency).length, edges: edgePaths.length, paths: withoutPrefixes(kept) };
}

function allStateNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap(allStateNodes)];
}

/** Keeps the longest paths: a path that is the beginning of another is run as part of it. */
function withoutPrefixes(paths: ChartPath[]): ChartPath[] {
  const sorted = [...paths].sort((a, b) => b.steps.length - a.steps.length);
  const covered = new Set<string>();
  const kept: ChartPath[] = [];
  for (const path of sorted) {
    const events = path.steps.map((s) => JSON.stringify(s.event));
    if (covered.has(events.join('\n'))) continue;
    kept.push(path);
    for (let i = 1; i <= events.length; i++) covered.add(events.slice(0, i).join('\n'));
  }
  return kept;
}

/** An effect result in a path: which effect (asked for, by name) or invocation (by id), and what it answers. */
function outcomeOf(event: EventObject): { id: string; outcome: EffectOutcome } | undefined {
  const e = event as EventObject & { effect?: string; output?: unknown; error?: unknown };
  if (e.type === 'EFFECT_DONE' || e.type === 'EFFECT_FAILED') {
    return { id: String(e.effect), outcome: e.type === 'EFFECT_DONE' ? { output: e.output } : { error: e.error } };
  }
  const m = /^xstate\.(done|error)\.actor\.(.+)$/.exec(event.type);
  if (!m?.[2]) return undefined;
  return { id: m[2], outcome: m[1] === 'done' ? { output: e.output } : { error: e.error } };
}

/** `SAID "909090" (none)`, `verifyCode → {"result":"ok"}`: one step of a path, for failure messages. */
export function describeEvent(event: EventObject): string {
  const o = outcomeOf(event);
  if (o) return 'output' in o.outcome ? `${o.id} → ${JSON.stringify(o.outcome.output)}` : `${o.id} fails`;
  const { type, ...rest } = event as EventObject & Record<string, unknown>;
  if (type === 'SAID') return `SAID ${JSON.stringify(rest.text)} (${String(rest.intent)})`;
  return Object.keys(rest).length ? `${type} ${JSON.stringify(rest)}` : type;
}

export function describePath(path: ChartPath): string {
  return path.steps
    .slice(1)
    .map((s) => describeEvent(s.event))
    .join(' → ');
}

export class PathDivergence extends Error {}

export interface PathRunnerOptions {
  input?: unknown;
  serializeState: (s: AnyMachineSnapshot) => string;
  inspect?: (e: InspectionEvent) => void;
  /** Per turn; effects answer at once, so this is only a guard against a stuck run. */
  timeoutMs?: number;
}

/**
 * Runs paths on real actors of `machine`, with every effect replaced by a fake that answers what
 * the path says it answers next: an invoked effect's actor, or the effect the chart asks its
 * `effects` actor for. Each path goes turn by turn (an event from outside, then the effects it sets
 * off), and after each turn the actor must be where the graph said: otherwise the run throws
 * `PathDivergence`. (The chart is provided once: `provide` rebuilds every state node.)
 */
export function createPathRunner(machine: AnyStateMachine, options: PathRunnerOptions): (path: ChartPath) => Promise<void> {
  let script: Array<{ id: string; outcome: EffectOutcome }> = [];
  let calls = 0;
  let divergence: string | undefined;
  /** The path's next outcome, for the effect `id` (an invocation's id, or the name of an effect asked for). */
  const answerNext = (id: string): Promise<unknown> => {
    const next = script[calls++];
    if (!next) return new Promise(() => undefined); // the path ends while this effect runs
    if (next.id !== id) {
      divergence ??= `the chart ran ${id} where the graph expected ${next.id}`;
      return Promise.reject(new Error(divergence));
    }
    return 'output' in next.outcome ? Promise.resolve(next.outcome.output) : Promise.reject(next.outcome.error);
  };
  const fake = fromPromise<unknown, unknown>(({ self }) => answerNext(self.id));
  // The effects the states ask for (`meta.effect`), each answering from the script, run by the chart's own `effects` actor.
  const asked: Partial<Record<EffectName, () => Promise<unknown>>> = {};
  const effects = effectsActor(asked as Partial<ChartEffects>);
  const actors: Record<string, AnyActorLogic> = {};
  for (const node of allStateNodes(machine.root)) {
    const effect = (node.meta as { effect?: EffectName } | undefined)?.effect;
    if (effect) asked[effect] = () => answerNext(effect);
    for (const i of node.invoke) if (typeof i.src === 'string') actors[i.src] = i.id === EFFECTS_ACTOR ? effects : fake;
  }
  const faked = machine.provide({ actors });

  return async (path) => {
    const steps = path.steps.slice(1); // the first step is the initial state (xstate.init)
    script = steps.flatMap((s) => outcomeOf(s.event) ?? []);
    calls = 0;
    divergence = undefined;
    const actor = createActor(faked, {
      ...(options.input !== undefined ? { input: options.input } : {}),
      ...(options.inspect ? { inspect: options.inspect } : {}),
    });
    actor.start();
    try {
      let answered = 0;
      for (let i = 0; i < steps.length; ) {
        // A turn: one event from outside, then the results of the effects it set off.
        const turn = [steps[i] as PathStep];
        for (i += 1; i < steps.length && outcomeOf((steps[i] as PathStep).event); i += 1) turn.push(steps[i] as PathStep);
        const first = (turn[0] as PathStep).event;
        if (outcomeOf(first)) throw new Error(`a path must not start a turn with an effect result: ${describePath(path)}`);
        const expected = (turn.at(-1) as PathStep).state;
        const endsBusy = runningEffects(expected).length > 0;
        answered += turn.length - 1;
        actor.send(first);
        // Settled: every answer of this turn was asked for, and no effect runs (but the one the path ends in).
        const settled = (s: AnyMachineSnapshot) =>
          s.status !== 'active' || (calls >= answered + (endsBusy ? 1 : 0) && (endsBusy || runningEffects(s).length === 0));
        if (!settled(actor.getSnapshot())) {
          try {
            await waitFor(actor, settled, { timeout: options.timeoutMs ?? 2000 });
          } catch (cause) {
            throw new PathDivergence(`stuck after ${describeEvent(first)} in ${describePath(path)}`, { cause });
          }
        }
        const actual = actor.getSnapshot();
        if (actual.status === 'error') {
          throw new PathDivergence(`the chart failed after ${describeEvent(first)} in ${describePath(path)}`, { cause: actual.error });
        }
        if (divergence) throw new PathDivergence(`${divergence}, after ${describeEvent(first)} in ${describePath(path)}`);
        const want = options.serializeState(expected);
        const got = options.serializeState(actual);
        if (got !== want) {
          throw new PathDivergence(
            `after ${turn.map((t) => describeEvent(t.event)).join(' → ')}\n  the graph expected ${want}\n  the chart is in   ${got}\n  path: ${describePath(path)}`,
          );
        }
      }
    } finally {
      actor.stop();
    }
  };
}
