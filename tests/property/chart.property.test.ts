/**
 * Property test of the chart alone, with fake effects whose answers are drawn at random: whatever
 * events arrive, in whatever order (the customer's words with any intent, commands, questions,
 * feedback, and the agent side's events about this or other tickets), and whatever the effects
 * answer (success, refusals, locks, errors),
 *   - the chart never errors and never stays busy;
 *   - `changeBinding` runs only from the confirm question, on the customer's words, when the context
 *     right before held `passed.identity && passed.oldCode && passed.newCode`, and with the details
 *     that were verified.
 * Each event is its own turn, carried over as a persisted snapshot as the bot does, so the context
 * "right before" is the one the previous turn left.
 */
import fc from 'fast-check';
import type { Snapshot } from 'xstate';
import { runChart } from '../../bot/runChart';
import { changePhoneMachine, effectsActor } from '../../dialogs/changePhone';
import type { ChangeBindingInput, ChartContext, ChartEffects, ChartEvent } from '../../dialogs/types';
import type { Intent } from '../../domain/intent';

const CHART_SEED = 314159;
const NUM_RUNS = 300;
const CONVERSATION = 'c';
/** The code the fake SMS "sends": the right one; anything else is wrong (unless the dice say otherwise). */
const GOOD_CODE = '909090';

jest.setTimeout(60_000);

// ---- Fake effects, answering from a list of dice ------------------------------------------------

/** Outcomes drawn in turn from `dice` (0–99), cycling: a run's effects are reproducible and shrinkable. */
function fakes(dice: readonly number[]) {
  let next = 0;
  const roll = () => dice[next++ % dice.length] ?? 0;
  const boom = (name: string) => new Error(`${name} failed (fake)`);
  const changes: ChangeBindingInput[] = [];
  /** What the effects last vouched for: the identity (card and current number) and each code's number. */
  const vouched: { card?: string; phone?: string; old?: string; new?: string } = {};
  let codeIds = 0;
  const tickets = ['T1', 'T2'];
  const ticket = () => tickets[roll() % tickets.length] as string;

  const effects: ChartEffects = {
    verifyIdentity: async (input) => {
      const d = roll();
      if (d < 65) {
        Object.assign(vouched, { card: input.card, phone: input.phone });
        return { result: 'ok', customerId: 'cust', cardId: 'card' };
      }
      if (d < 80) return { result: 'mismatch', attemptsLeft: d % 3 };
      if (d < 88) return { result: 'locked', minutesLeft: 30 };
      if (d < 95) return { result: 'abnormal', standing: (['customerFrozen', 'cardFrozen', 'cardLost'] as const)[d % 3] ?? 'cardLost' };
      throw boom('verifyIdentity');
    },
    sendCode: async () => {
      const d = roll();
      if (d < 70) return { result: 'sent', ttlMinutes: 5, resendSeconds: 60 };
      if (d < 78) return { result: 'cooldown', secondsLeft: 42 };
      if (d < 84) return { result: 'capped', minutesLeft: 60 };
      if (d < 88) return { result: 'locked', minutesLeft: 30 };
      if (d < 95) return { result: 'smsFailed' };
      throw boom('sendCode');
    },
    verifyCode: async (input) => {
      const d = roll();
      if (d >= 95) throw boom('verifyCode');
      if (d >= 90) return { result: 'expired' };
      if (d >= 86) return { result: 'noCode' };
      if (d >= 83) return { result: 'locked', minutesLeft: 30 };
      if (input.code === GOOD_CODE) {
        vouched[input.purpose] = input.phone;
        return { result: 'ok', codeId: `code-${++codeIds}` };
      }
      return { result: 'wrong', attemptsLeft: d % 5 };
    },
    checkNewPhone: async () => {
      const d = roll();
      if (d < 85) return { result: 'ok' };
      if (d < 95) return { result: 'taken' };
      throw boom('checkNewPhone');
    },
    changeBinding: async (input) => {
      changes.push(input);
      const d = roll();
      if (d < 80) return { result: 'changed' };
      if (d < 90) return { result: 'conflict' };
      throw boom('changeBinding');
    },
    requestAgent: async () => {
      const d = roll();
      if (d < 55) return { result: 'queued', ticket: ticket(), position: 1 + (d % 4), waitMinutes: 5, requestedAt: 0 };
      if (d < 65) return { result: 'withAgent', ticket: ticket(), agentName: 'A', requestedAt: 0 };
      if (d < 75) return { result: 'closed', opensAt: '明天 09:00' };
      if (d < 80) return { result: 'closed' };
      if (d < 90) return { result: 'channel', ticket: ticket(), requestedAt: 0 };
      throw boom('requestAgent');
    },
    relayToAgent: async () => {
      const d = roll();
      if (d < 50) return { status: 'waiting', position: 1 + (d % 3), waitMinutes: 5 };
      if (d < 75) return { status: 'withAgent', agentName: 'A' };
      if (d < 90) return { status: 'ended' };
      throw boom('relayToAgent');
    },
    leaveQueue: async () => {
      const d = roll();
      if (d < 60) return { result: 'left' };
      if (d < 75) return { result: 'withAgent', agentName: 'A' };
      if (d < 90) return { result: 'ended' };
      throw boom('leaveQueue');
    },
    requestCallback: async (input) => {
      if (roll() >= 90) throw boom('requestCallback');
      return { id: 'cb-1', preferredTime: input.preferredTime };
    },
  };
  const machine = changePhoneMachine.provide({
    actors: { effects: effectsActor(effects) },
    actions: {
      recordRating: () => undefined,
      recordFeedback: () => undefined,
    },
  });
  return { machine, changes, vouched };
}

// ---- Random events ------------------------------------------------------------------------------

const INTENTS: Intent[] = [
  'changePhone', 'faq', 'handoff', 'cancel', 'restart', 'help', 'greeting', 'thanks', 'affirm', 'deny', 'resend',
  'complaint', 'goodbye', 'feedback', 'none',
];
const FAQ_IDS = ['menu', 'otpNotReceived', 'otpWrong', 'fees', 'howLong', 'safety', 'oldNumberLost', 'nonexistent'];
const TICKETS = ['T1', 'T2', 'OTHER', ''];

const texts = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '6222021234567890128', '6217000012345670', '6222021234567890129', '11010519491231002X', '310104199003070026',
      'E12345678', '13800138000', '+86 139 0013 9000', '18612345678', GOOD_CODE, '123456', '000000',
      '从13800138000换成18612345678', '不对，卡号是 6217000012345670', '不对，新号码是 18612345678',
      'actually the new number is 13800138000', '确认', '能收到', '收不到', '取消', '5分', '4', '明天上午', '晚上',
      '我的密码是 123456', 'CVV 321', '', '  ', '😀', '<b>x</b>',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9 +-]{1,22}$/) },
);

const intent = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Intent>('none') },
  { weight: 3, arbitrary: fc.constant<Intent>('affirm') },
  { weight: 4, arbitrary: fc.constantFrom(...INTENTS) },
);

/** One step: an event, or `right` — what a customer who follows the prompts would say next. */
type Step = { kind: 'event'; event: ChartEvent } | { kind: 'right' };
const ev = (a: fc.Arbitrary<ChartEvent>) => a.map((event): Step => ({ kind: 'event', event }));

const event: fc.Arbitrary<Step> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Step>({ kind: 'right' }) },
  { weight: 12, arbitrary: ev(fc.record({ type: fc.constant('SAID' as const), text: texts, intent })) },
  {
    weight: 4,
    arbitrary: ev(
      fc.constantFrom<ChartEvent>(
        { type: 'CANCEL_REQUESTED' },
        { type: 'RESTART_REQUESTED' },
        { type: 'HELP_REQUESTED' },
        { type: 'AGENT_REQUESTED' },
        { type: 'COMPLAINED' },
        { type: 'JOINED' },
        { type: 'LOCALE_SET', locale: 'en-US' },
        { type: 'LOCALE_SET', locale: 'zh-CN' },
      ),
    ),
  },
  {
    weight: 3,
    arbitrary: ev(
      fc.oneof(
        fc.record({ type: fc.constant('ASKED' as const), faqId: fc.constantFrom(...FAQ_IDS) }),
        fc.record({ type: fc.constant('ASKED_UNCLEARLY' as const), faqIds: fc.subarray(FAQ_IDS, { minLength: 2 }) }),
        fc.record({ type: fc.constant('FEEDBACK_GIVEN' as const), helpful: fc.boolean() }),
      ),
    ),
  },
  {
    weight: 4,
    arbitrary: ev(
      fc.oneof(
        fc.record({ type: fc.constant('AGENT_JOINED' as const), ticket: fc.constantFrom(...TICKETS), agentName: fc.constantFrom('王丽', 'A', '') }),
        fc.record({
          type: fc.constant('AGENT_SAID' as const),
          ticket: fc.constantFrom(...TICKETS),
          agentName: fc.constant('王丽'),
          text: fc.oneof(fc.constantFrom('您好', '<b>hi</b>', ''), fc.string({ maxLength: 20 })),
        }),
        fc.record({
          type: fc.constant('QUEUE_MOVED' as const),
          ticket: fc.constantFrom(...TICKETS),
          position: fc.integer({ min: 0, max: 9 }),
          waitMinutes: fc.integer({ min: 0, max: 60 }),
        }),
        fc.record({ type: fc.constant('AGENT_LEFT' as const), ticket: fc.constantFrom(...TICKETS), how: fc.constantFrom('closed' as const, 'returned' as const) }),
        fc.record({
          type: fc.constant('HANDOFF_STATUS' as const),
          state: fc.constantFrom('accepted' as const, 'failed' as const, 'completed' as const),
          message: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
        }).map(({ message, ...rest }): ChartEvent => (message === undefined ? rest : { ...rest, message })),
      ),
    ),
  },
);

/** What a customer who follows the prompts says next, given the question on screen. */
function rightAnswer(context: ChartContext | undefined): ChartEvent {
  const said = (text: string, i: Intent = 'none'): ChartEvent => ({ type: 'SAID', text, intent: i });
  switch (context?.expecting) {
    case 'cardNumber':
      return said('6222021234567890128');
    case 'idNumber':
      return said('11010519491231002X');
    case 'oldPhone':
      return said('13800138000');
    case 'oldPhoneReachable':
      return said('能收到', 'affirm');
    case 'otp':
      return said(GOOD_CODE);
    case 'newPhone':
      return said('18612345678');
    case 'confirm':
      return said('确认', 'affirm');
    case 'callbackTime':
      return said('明天上午');
    case 'rating':
      return said('5分');
    default:
      return said('换手机号', 'changePhone');
  }
}

const stats = { runs: 0, events: 0, changeCalls: 0 };
afterAll(() => {
  // How deep the walks went (for tuning the weights): PROPERTY_STATS=1 npx jest tests/property
  if (process.env.PROPERTY_STATS) {
    console.log(`chart property: ${stats.runs} runs, ${stats.events} events, ${stats.changeCalls} changeBinding calls`);
  }
});

test('random events never make the chart fail, and changeBinding runs only when everything was verified', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(event, { minLength: 1, maxLength: 40, size: 'max' }),
      fc.array(fc.nat(99), { minLength: 1, maxLength: 32 }),
      async (steps, dice) => {
        stats.runs += 1;
        const { machine, changes, vouched } = fakes(dice);
        let snapshot: Snapshot<unknown> | undefined;
        let before: ChartContext | undefined;
        for (const step of steps) {
          const e = step.kind === 'right' ? rightAnswer(before) : step.event;
          const calls = changes.length;
          // runChart throws if the chart errors or stays busy past the timeout.
          const turn = await runChart(machine, { conversationId: CONVERSATION, snapshot, events: [e], timeoutMs: 1000 });
          stats.events += 1;
          const made = changes.slice(calls);
          if (made.length > 0) {
            stats.changeCalls += made.length;
            if (made.length > 1) throw new Error(`changeBinding ran ${made.length} times in one turn`);
            const input = made[0] as ChangeBindingInput;
            const passed = before?.passed;
            if (!passed?.identity || !passed.oldCode || !passed.newCode) {
              throw new Error(`changeBinding ran with passed=${JSON.stringify(passed)} on ${JSON.stringify(e)}`);
            }
            if (before?.expecting !== 'confirm' || e.type !== 'SAID') {
              throw new Error(`changeBinding ran at expecting=${String(before?.expecting)} on ${JSON.stringify(e)}`);
            }
            expect(input).toMatchObject({
              conversationId: CONVERSATION,
              card: before.card,
              oldPhone: before.oldPhone,
              newPhone: before.newPhone,
              cardId: before.cardId,
              idempotencyKey: `${CONVERSATION}:${before.newCodeId}`,
            });
            expect(before.newCodeId).toBeTruthy();
            // The details committed are the ones the effects last verified.
            expect({ card: input.card, phone: input.oldPhone, old: input.oldPhone, new: input.newPhone }).toEqual(vouched);
            expect(before.newPhoneFree).toBe(true);
          }
          snapshot = turn.snapshot;
          before = turn.context;
        }
      },
    ),
    { seed: CHART_SEED, numRuns: NUM_RUNS },
  );
  // The checks on changeBinding's input ran: some walks reached the change.
  expect(stats.changeCalls).toBeGreaterThan(0);
});
