import type { ChartEvent, EffectName, EffectOutput } from '../types';
import type { Intent } from '../../domain/intent';

/*
 * Reading what reached the chart: the customer's words and intent, and what an effect answered.
 * A guard or an action named in setup() sees every event as a ChartEvent; an effect's answer
 * (EFFECT_DONE) carries its `output`, read here with the effect's own output type.
 */

/** What the customer wrote ('' for any other event). */
export const said = (event: ChartEvent): string => (event.type === 'SAID' ? event.text : '');

/** What the recogniser made of it (undefined for any other event). */
export const intentOf = (event: ChartEvent): Intent | undefined => (event.type === 'SAID' ? event.intent : undefined);

/** The output of the effect whose done event this is; undefined for any other event. */
export function outputOf<O>(event: ChartEvent): O | undefined {
  return (event as { output?: O }).output;
}

/** The output of `effect`'s answer, for a transition taken on it; any other event is a mistake in the chart. */
export function answerOf<K extends EffectName>(event: ChartEvent, effect: K): EffectOutput<K> {
  if (event.type === 'EFFECT_DONE' && event.effect === effect) return event.output as EffectOutput<K>;
  throw new Error(`the chart read the answer of '${effect}' from ${event.type}`);
}

/** An effect's answer: its output's `result`, or `status` for a message relayed to people. */
type Answer<O> = O extends { result: infer R } ? R : O extends { status: infer S } ? S : never;

/** Whether `event` is an effect's answer, and one of `answers` (checked against the effect's output type). */
export function answered<O>(event: ChartEvent, ...answers: Array<Answer<O>>): boolean {
  const output = outputOf<{ result?: string; status?: string }>(event);
  const answer = output?.result ?? output?.status;
  return answer !== undefined && (answers as string[]).includes(answer);
}
