import { fromCallback } from 'xstate';
import type { ChartEffects, EffectInput, EffectName, EffectRequest, EffectResult } from '../types';
import type { From } from './inputs';

/** The tag of a state whose effect is running: a turn waits until the chart is no longer busy. */
export const busy = 'busy' as const;

/*
 * How the chart runs its effects: one long-lived actor, `effects`, invoked at the root. A state that
 * needs an effect sends it a request as it is entered (`runEffect`), is tagged busy, and goes on when
 * the result comes back as an event (EFFECT_DONE with its `output`, or EFFECT_FAILED). This does what
 * an invoked actor per effect did, without an actor made, started and stopped for each effect.
 *
 * Only the answer to the latest request is sent back: a state left before its effect answered (the
 * chart stopped, or asked for another effect since) never takes an answer that was not its own.
 * The actor holds nothing of a conversation: it is left out of the stored snapshot and made again
 * when a conversation is restored (bot/runChart.ts).
 */

/** The effects actor's name in setup() and its id among the chart's children (stored snapshots name neither). */
export const EFFECTS_ACTOR = 'effects';

/** A request as the effects actor receives it. */
export type EffectRun = { type: 'run' } & EffectRequest;

type AnyEffect = (input: unknown) => Promise<unknown>;

/** The effects actor over `effects`; one the root did not provide fails loudly instead of pretending to work. */
export function effectsActor(effects: Partial<ChartEffects>) {
  return fromCallback<EffectRun>(({ sendBack, receive }) => {
    let latest = 0;
    receive((request) => {
      const id = ++latest;
      const { effect } = request;
      const answer = (result: EffectResult) => {
        if (id === latest) sendBack(result);
      };
      run(effects, effect, request.input).then(
        (output) => answer({ type: 'EFFECT_DONE', effect, output } as EffectResult),
        (error: unknown) => answer({ type: 'EFFECT_FAILED', effect, error }),
      );
    });
  });
}

/** The effect's promise; a missing effect, or one that throws before its first await, rejects. */
function run(effects: Partial<ChartEffects>, name: EffectName, input: unknown): Promise<unknown> {
  const fn = effects[name] as AnyEffect | undefined;
  return new Promise((resolve) => {
    if (!fn) throw new Error(`effect '${name}' was not provided to the chart`);
    resolve(fn.call(effects, input));
  });
}

/**
 * What a state that runs `effect` is: busy until the answer comes, asking for the effect with the
 * input made from the context (and the event that entered it) as it is entered. Its `on` takes the
 * answer: EFFECT_DONE (the output, read with `outputOf`) and EFFECT_FAILED. `meta.effect` names
 * the effect for tools that read the chart (the coverage graph in tests/support/).
 */
export function runs<K extends EffectName>(effect: K, input: (from: From) => EffectInput<K>) {
  return {
    tags: busy,
    meta: { effect },
    entry: {
      type: 'runEffect' as const,
      params: (from: From) => ({ effect, input: input(from) }) as EffectRequest,
    },
  };
}
