/**
 * What an effect costs the chart, apart from its own work: a two-state machine sends an event that
 * starts an effect (a promise that resolves at once) and waits for it as `bot/runChart.ts` does,
 * against an event that only changes state. Two ways to run the effect: an actor invoked for it (a
 * `fromPromise`, as the chart did until 2026-12-07), and a request to one long-lived actor that sends
 * the answer back as an event (as the chart does now: dialogs/changePhone/effects.ts). xstate alone,
 * no bot.
 *
 *   npx tsx bench/probes/xstateInvoke.ts
 */
import { assign, createActor, fromCallback, fromPromise, sendTo, setup, waitFor, type AnyStateMachine } from 'xstate';

const answer = async (n: number) => ({ n: n + 1 });

const invoked = setup({
  actors: { effect: fromPromise(({ input }: { input: { n: number } }) => answer(input.n)) },
}).createMachine({
  id: 'probe',
  initial: 'idle',
  context: { n: 0 },
  states: {
    idle: { on: { EFFECT: 'working', PLAIN: { target: 'idle', reenter: true } } },
    working: {
      tags: ['busy'],
      invoke: { src: 'effect', input: ({ context }) => ({ n: context.n }), onDone: { target: 'idle' } },
    },
  },
});

type Done = { type: 'DONE'; output: { n: number } };
const asked = setup({
  types: { context: {} as { n: number }, events: {} as { type: 'EFFECT' } | { type: 'PLAIN' } | Done },
  actors: {
    effects: fromCallback<{ type: 'run'; n: number }>(({ sendBack, receive }) => {
      let latest = 0;
      receive((request) => {
        const id = ++latest;
        void answer(request.n).then((output) => {
          if (id === latest) sendBack({ type: 'DONE', output });
        });
      });
    }),
  },
}).createMachine({
  id: 'probe',
  initial: 'idle',
  context: { n: 0 },
  invoke: { id: 'effects', src: 'effects' },
  states: {
    idle: { on: { EFFECT: 'working', PLAIN: { target: 'idle', reenter: true } } },
    working: {
      tags: ['busy'],
      entry: sendTo('effects', ({ context }) => ({ type: 'run' as const, n: context.n })),
      on: { DONE: { target: 'idle', actions: assign({ n: ({ event }) => event.output.n }) } },
    },
  },
});

/** µs per event, over `n` events of one type, each waited for while the chart is busy. */
async function perEvent(machine: AnyStateMachine, type: 'EFFECT' | 'PLAIN', n: number): Promise<number> {
  const actor = createActor(machine).start();
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    actor.send({ type });
    if (actor.getSnapshot().hasTag('busy')) await waitFor(actor, (s) => !s.hasTag('busy'), { timeout: 20_000 });
    actor.getPersistedSnapshot();
  }
  const us = Number(process.hrtime.bigint() - started) / n / 1000;
  actor.stop();
  return us;
}

async function main(): Promise<void> {
  for (const machine of [invoked, asked]) await perEvent(machine, 'EFFECT', 20_000); // warm-up
  for (let round = 1; round <= 3; round++) {
    const a = await perEvent(invoked, 'EFFECT', 20_000);
    const b = await perEvent(asked, 'EFFECT', 20_000);
    const plain = await perEvent(asked, 'PLAIN', 20_000);
    console.log(
      `round ${round}: an event with an effect ${a.toFixed(1)} µs invoked, ${b.toFixed(1)} µs asked of one actor; without ${plain.toFixed(1)} µs`,
    );
  }
}

void main();
