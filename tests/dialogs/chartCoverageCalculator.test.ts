/**
 * The coverage calculator on a tiny made-up chart: its states and transitions are read from the
 * chart (nothing is listed by hand), so a state that no path reaches shows up as missing, by id.
 */
import { and, fromPromise, not, or, setup, type AnyMachineSnapshot } from 'xstate';
import { chartStates, chartTransitions, CoverageRecorder, coverageReport, formatCoverage } from '../support/chartCoverage';
import { createPathRunner, describePath, coveringPaths, type ChartModel } from '../support/chartCoveragePaths';

/** A door with a lock that asks a server; `forgotten` has no way in. */
const door = setup({
  types: { context: {} as { opened: number }, events: {} as { type: 'OPEN' } | { type: 'CLOSE' } | { type: 'UNLOCK' } },
  actors: { askServer: fromPromise<boolean>(async () => true) },
}).createMachine({
  id: 'door',
  context: { opened: 0 },
  initial: 'closed',
  states: {
    closed: { on: { OPEN: { target: 'open', actions: ({ context }) => context.opened++ }, UNLOCK: 'unlocking' } },
    unlocking: {
      invoke: {
        src: 'askServer',
        onDone: [{ guard: ({ event }) => event.output === true, target: 'open' }, { target: 'closed' }],
        onError: 'closed',
      },
    },
    open: { on: { CLOSE: 'closed' } },
    forgotten: { on: { OPEN: 'open' } },
  },
});

const model: ChartModel = {
  machine: door,
  events: () => [{ type: 'OPEN' }, { type: 'CLOSE' }, { type: 'UNLOCK' }],
  outcomes: { askServer: [{ output: true }, { output: false }, { error: new Error('down') }] },
  // The count of openings is left out: with it the graph would never end.
  serializeState: (s: AnyMachineSnapshot) => JSON.stringify(s.value),
};

async function cover(m: ChartModel) {
  const graph = coveringPaths(m);
  const recorder = new CoverageRecorder(m.machine);
  const run = createPathRunner(m.machine, { serializeState: m.serializeState, inspect: recorder.inspect });
  for (const path of graph.paths) await run(path);
  return { graph, report: coverageReport(m.machine, recorder) };
}

test('states and transitions are read from the chart, unreachable ones included', () => {
  expect(chartStates(door)).toEqual(['door.closed', 'door.unlocking', 'door.open', 'door.forgotten']);
  expect(chartTransitions(door).map((t) => t.key)).toEqual([
    'door.closed OPEN#0 → door.open',
    'door.closed UNLOCK#0 → door.unlocking',
    "door.unlocking done(askServer)#0 [event.output === true] → door.open",
    'door.unlocking done(askServer)#1 → door.closed',
    'door.unlocking error(askServer)#0 → door.closed',
    'door.open CLOSE#0 → door.closed',
    'door.forgotten OPEN#0 → door.open',
  ]);
});

test('a state no path reaches is reported missing, with its transitions', async () => {
  const { graph, report } = await cover(model);
  expect(graph.states).toBe(3);
  expect(report.states).toEqual({ total: 4, covered: 3, percent: 75, missing: ['door.forgotten'] });
  expect(report.transitions).toEqual({ total: 7, covered: 6, percent: 85.7, missing: ['door.forgotten OPEN#0 → door.open'] });
  expect(formatCoverage(report)).toBe('states 3/4 (75%), transitions 6/7 (85.7%)');
});

test('effect results are events of the graph: each outcome becomes its own path', async () => {
  const { graph } = await cover(model);
  expect(graph.paths.map(describePath).sort()).toEqual([
    'OPEN → CLOSE',
    'UNLOCK → 0.door.unlocking fails',
    'UNLOCK → 0.door.unlocking → false',
    'UNLOCK → 0.door.unlocking → true',
  ]);
});

test('guards put together with or, and, not are labelled by the guards they hold', () => {
  const lock = setup({
    types: { events: {} as { type: 'TRY' } },
    guards: { wrong: () => false, expired: () => false, locked: () => true },
  }).createMachine({
    id: 'lock',
    on: { TRY: [{ guard: or(['wrong', 'expired']) }, { guard: and(['locked', not('wrong')]) }] },
  });
  expect(chartTransitions(lock).map((t) => t.key)).toEqual(['lock TRY#0 [wrong | expired] → (stays)', 'lock TRY#1 [locked & !wrong] → (stays)']);
});

test('a sample outcome left out for an effect is not silently skipped', () => {
  expect(() => coveringPaths({ ...model, outcomes: {} })).toThrow("no sample outcomes for the effect 'askServer'");
});

test('a run that does not go where the graph said is caught, with the path', async () => {
  const graph = coveringPaths(model);
  const toOpen = graph.paths.find((p) => describePath(p) === 'UNLOCK → 0.door.unlocking → true');
  if (!toOpen) throw new Error('no path through unlocking');
  // The server now answers "no", but the path still expects the door open.
  const edited = { steps: toOpen.steps.map((s, i) => (i === 2 ? { ...s, event: { ...s.event, output: false } } : s)) };
  const run = createPathRunner(door, { serializeState: model.serializeState });
  await expect(run(edited)).rejects.toThrow(/the graph expected "open"\n {2}the chart is in {3}"closed"/);
});
