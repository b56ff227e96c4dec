/**
 * The chart's `effects` actor (dialogs/changePhone/effects.ts): a state asks it for an effect as it
 * is entered and takes the answer as an event. What it must never do: hand a state an answer that
 * was not its own, pretend an effect ran, or end up in what is stored.
 */
import { createActor, waitFor, type Snapshot } from 'xstate';
import { runChart } from '../../bot/runChart';
import { changePhoneMachine, EFFECTS_ACTOR, effectsActor } from '../../dialogs/changePhone';
import type { ChartEffects, ChartEvent, IdentityOutput, Reply } from '../../dialogs/types';
import type { Intent } from '../../domain/intent';
import { answeringEffects } from '../support/answeringEffects';

const said = (text: string, intent: Intent = 'none'): ChartEvent => ({ type: 'SAID', text, intent });
const toIdentity: ChartEvent[] = [said('换手机号', 'changePhone'), said('6222021234567890128'), said('11010519491231002X')];
const OLD_PHONE = said('13800138000');

/** A promise and its resolver, to answer an effect when the test says so. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const withEffects = (effects: Partial<ChartEffects>) =>
  changePhoneMachine.provide({
    actors: { effects: effectsActor(effects) },
    actions: { recordRating: () => undefined, recordFeedback: () => undefined },
  });

test('an answer that comes after its state was left is never taken by the state the chart is in now', async () => {
  const identity = deferred<IdentityOutput>();
  const asked: string[] = [];
  const machine = withEffects({
    verifyIdentity: () => {
      asked.push('verifyIdentity');
      return identity.promise;
    },
    requestAgent: async () => {
      asked.push('requestAgent');
      return new Promise(() => undefined); // the queue never answers: the chart waits in handingOff
    },
  });
  // Every event that reaches the chart itself.
  const reached: string[] = [];
  const actor = createActor(machine, {
    input: { conversationId: 'late' },
    inspect: (e) => {
      if (e.type === '@xstate.event' && e.actorRef.sessionId === e.rootId) reached.push(e.event.type);
    },
  }).start();
  for (const e of [...toIdentity, OLD_PHONE]) actor.send(e);
  expect(actor.getSnapshot().matches({ changing: 'verifyingIdentity' })).toBe(true);

  // The customer asks for a person while the bank is still checking; then the bank answers.
  actor.send({ type: 'AGENT_REQUESTED' });
  expect(actor.getSnapshot().matches('handingOff')).toBe(true);
  identity.resolve({ result: 'ok', customerId: 'cust', cardId: 'card' });
  await new Promise((r) => setTimeout(r, 10));

  // The identity's answer never reached the chart: no state can take it for its own.
  expect(asked).toEqual(['verifyIdentity', 'requestAgent']);
  expect(reached.filter((type) => type.startsWith('EFFECT_'))).toEqual([]);
  expect(actor.getSnapshot().matches('handingOff')).toBe(true);
  expect(actor.getSnapshot().context.customerId).toBeUndefined();
  actor.stop();
});

test('of two requests, only the later one is answered (a state asked again takes only its new answer)', async () => {
  const first = deferred<IdentityOutput>();
  const second = deferred<IdentityOutput>();
  const pending = [first, second];
  const reached: ChartEvent[] = [];
  const machine = withEffects({ verifyIdentity: () => (pending.shift() as typeof first).promise });
  const actor = createActor(machine, {
    input: { conversationId: 'twice' },
    inspect: (e) => {
      if (e.type === '@xstate.event' && e.actorRef.sessionId === e.rootId && e.event.type.startsWith('EFFECT_')) reached.push(e.event as ChartEvent);
    },
  }).start();
  const effects = actor.getSnapshot().children[EFFECTS_ACTOR];
  const request = { type: 'run', effect: 'verifyIdentity', input: { conversationId: 'twice', card: '', idType: 'CN_RESIDENT', idNumber: '', phone: '' } } as const;
  effects?.send(request);
  effects?.send(request);
  second.resolve({ result: 'mismatch', attemptsLeft: 2 });
  first.resolve({ result: 'ok', customerId: 'cust', cardId: 'card' });
  await new Promise((r) => setTimeout(r, 10));
  expect(reached).toEqual([{ type: 'EFFECT_DONE', effect: 'verifyIdentity', output: { result: 'mismatch', attemptsLeft: 2 } }]);
  actor.stop();
});

test('an effect that throws before it awaits fails as an effect, and the conversation goes on', async () => {
  const machine = withEffects({
    ...answeringEffects,
    verifyIdentity: () => {
      throw new Error('bank client not ready');
    },
  });
  const replies: Reply[] = [];
  const actor = createActor(machine, { input: { conversationId: 'sync-throw' } });
  actor.on('reply', (e) => replies.push(e.reply));
  actor.start();
  for (const e of [...toIdentity, OLD_PHONE]) actor.send(e);
  await waitFor(actor, (s) => !s.hasTag('busy'), { timeout: 1000 });
  expect(actor.getSnapshot().status).toBe('active');
  expect(actor.getSnapshot().matches('idle')).toBe(true);
  expect(replies.at(-1)?.key).toBe('error.bankUnavailable');
  actor.stop();
});

test('the effects actor is never stored, and a stored conversation runs its effects once restored', async () => {
  const calls: string[] = [];
  const machine = withEffects({
    ...answeringEffects,
    verifyIdentity: async (input) => {
      calls.push(`verifyIdentity:${input.phone}`);
      return answeringEffects.verifyIdentity();
    },
  });
  let snapshot: Snapshot<unknown> | undefined;
  for (const e of toIdentity) {
    const turn = await runChart(machine, { conversationId: 'stored', snapshot, events: [e], timeoutMs: 1000 });
    turn.actor.stop();
    snapshot = turn.snapshot;
    expect(JSON.stringify(snapshot)).toContain('"children":{}');
  }
  // Restored from what was stored (no warm actor): the identity is checked and the first code sent.
  const turn = await runChart(machine, { conversationId: 'stored', snapshot, events: [OLD_PHONE], timeoutMs: 1000 });
  expect(calls).toEqual(['verifyIdentity:+8613800138000']);
  expect(turn.context.customerId).toBe('cust');
  expect(turn.replies.map((r) => r.key)).toEqual(['otp.sent.old']);
  expect(JSON.stringify(turn.snapshot)).not.toContain(`"${EFFECTS_ACTOR}"`);
  turn.actor.stop();
});
