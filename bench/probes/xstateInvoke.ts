/**
 * What an effect costs the chart, apart from its own work: a two-state machine sends an event that
 * invokes an effect (a promise that resolves at once) and waits for it as `bot/runChart.ts` does,
 * against an event that only changes state. xstate alone, no bot.
 *
 *   npx tsx bench/probes/xstateInvoke.ts
 */
import { createActor, fromPromise, setup, waitFor } from 'xstate';

const machine = setup({
  actors: { effect: fromPromise(async ({ input }: { input: { n: number } }) => ({ n: input.n + 1 })) },
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

async function main(): Promise<void> {
  const actor = createActor(machine).start();
  /** µs per event, over `n` events of one type, each waited for while the chart is busy. */
  const run = async (type: 'EFFECT' | 'PLAIN', n: number): Promise<number> => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      actor.send({ type });
      if (actor.getSnapshot().hasTag('busy')) await waitFor(actor, (s) => !s.hasTag('busy'), { timeout: 20_000 });
      actor.getPersistedSnapshot();
    }
    return Number(process.hrtime.bigint() - started) / n / 1000;
  };
  await run('EFFECT', 20_000); // warm-up
  await run('PLAIN', 20_000);
  for (let round = 1; round <= 3; round++) {
    const effect = await run('EFFECT', 20_000);
    const plain = await run('PLAIN', 20_000);
    console.log(`round ${round}: an event with an effect ${effect.toFixed(1)} µs, without ${plain.toFixed(1)} µs`);
  }
  actor.stop();
}

void main();
