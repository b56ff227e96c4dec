import { fromPromise } from 'xstate';
import { changePhoneMachine } from '../../dialogs/changePhoneMachine';
import type {
  ChangeBindingInput,
  ChangeBindingOutput,
  ChartContext,
  ChartEvent,
  CheckNewPhoneInput,
  CheckNewPhoneOutput,
  IdentityInput,
  IdentityOutput,
  Intent,
  Reply,
  RequestAgentInput,
  RequestAgentOutput,
  SendCodeInput,
  SendCodeOutput,
  VerifyCodeInput,
  VerifyCodeOutput,
} from '../../dialogs/types';
import { runChart } from '../../bot/runChart';
import type { Snapshot } from 'xstate';

type Actors = Parameters<typeof changePhoneMachine.provide>[0]['actors'];

/** Fake effects: the chart is tested alone, with no I/O. */
function fakes(overrides: Partial<NonNullable<Actors>> = {}) {
  const calls: string[] = [];
  const actors = {
    verifyIdentity: fromPromise<IdentityOutput, IdentityInput>(async () => {
      calls.push('verifyIdentity');
      return { result: 'ok', customerId: 'cust', cardId: 'card' };
    }),
    sendCode: fromPromise<SendCodeOutput, SendCodeInput>(async ({ input }) => {
      calls.push(`sendCode:${input.purpose}`);
      return { result: 'sent', ttlMinutes: 5, resendSeconds: 60 };
    }),
    verifyCode: fromPromise<VerifyCodeOutput, VerifyCodeInput>(async ({ input }) => {
      calls.push(`verifyCode:${input.code}`);
      return input.code === '909090' ? { result: 'ok', codeId: 'code-1' } : { result: 'wrong', attemptsLeft: 4 };
    }),
    checkNewPhone: fromPromise<CheckNewPhoneOutput, CheckNewPhoneInput>(async () => ({ result: 'ok' })),
    changeBinding: fromPromise<ChangeBindingOutput, ChangeBindingInput>(async ({ input }) => {
      calls.push(`changeBinding:${input.idempotencyKey}`);
      return { result: 'changed' };
    }),
    requestAgent: fromPromise<RequestAgentOutput, RequestAgentInput>(async () => ({ ticket: 'HTEST' })),
    ...overrides,
  };
  return { machine: changePhoneMachine.provide({ actors }), calls };
}

const said = (text: string, intent: Intent = 'none'): ChartEvent => ({
  type: 'SAID',
  text,
  intent,
});

/** Runs events turn by turn, carrying the persisted snapshot like the bot does. */
async function turns(machine: ReturnType<typeof fakes>['machine'], events: ChartEvent[][]) {
  let snapshot: Snapshot<unknown> | undefined;
  const out: Reply[][] = [];
  let context: ChartContext | undefined;
  for (const e of events) {
    const t = await runChart(machine, { conversationId: 'c', snapshot, events: e, timeoutMs: 1000 });
    snapshot = t.snapshot;
    context = t.context;
    out.push(t.replies);
  }
  return { replies: out, snapshot, context };
}

const toConfirm: ChartEvent[][] = [
  [said('换手机号', 'changePhone')],
  [said('6222021234567890128')],
  [said('11010519491231002X')],
  [said('13800138000')],
  [said('能', 'affirm')],
  [said('909090')],
  [said('18612345678')],
  [said('909090')],
];

test('welcome on join offers the three choices', async () => {
  const { machine } = fakes();
  const { replies } = await turns(machine, [[{ type: 'JOINED' }]]);
  expect(replies[0]).toEqual([{ key: 'welcome.greeting', buttons: ['changePhone', 'faq', 'agent'] }]);
});

test('the chart runs the effects in order and commits with a key made from the verified new code', async () => {
  const { machine, calls } = fakes();
  const { replies } = await turns(machine, [...toConfirm, [said('确认', 'affirm')]]);
  expect(calls).toEqual([
    'verifyIdentity',
    'sendCode:old',
    'verifyCode:909090',
    'sendCode:new',
    'verifyCode:909090',
    'changeBinding:c:code-1',
  ]);
  expect(replies.at(-1)?.at(-1)).toMatchObject({ key: 'change.done', outcome: 'phoneChanged' });
});

test('after the identity check, the stored snapshot keeps no full ID number and never a code', async () => {
  const { machine } = fakes();
  const { snapshot } = await turns(machine, toConfirm.slice(0, 6));
  const json = JSON.stringify(snapshot);
  expect(json).not.toContain('11010519491231002X');
  expect(json).not.toContain('909090');
});

test('a failed commit changes nothing and asks to confirm again', async () => {
  const { machine } = fakes({
    changeBinding: fromPromise<ChangeBindingOutput, ChangeBindingInput>(async () => {
      throw new Error('core down');
    }),
  });
  const { replies, context } = await turns(machine, [...toConfirm, [said('确认', 'affirm')]]);
  expect(replies.at(-1)?.map((r) => r.key)).toEqual(['error.changeFailed', 'ask.confirm']);
  expect(context?.expecting).toBe('confirm');
});

test('a bank error during the identity check ends with a clear message, not a crash', async () => {
  const { machine } = fakes({
    verifyIdentity: fromPromise<IdentityOutput, IdentityInput>(async () => {
      throw new Error('timeout');
    }),
  });
  const { replies } = await turns(machine, toConfirm.slice(0, 4));
  expect(replies.at(-1)?.at(-1)?.key).toBe('error.bankUnavailable');
});

test('an effect the root forgot to provide never pretends to work', async () => {
  const { replies } = await turns(changePhoneMachine, toConfirm.slice(0, 4));
  expect(replies.at(-1)?.at(-1)?.key).toBe('error.bankUnavailable');
});

test('when a flow ends, only masked details stay (for a later handoff)', async () => {
  const { machine } = fakes({
    checkNewPhone: fromPromise<CheckNewPhoneOutput, CheckNewPhoneInput>(async () => ({ result: 'taken' })),
  });
  const { snapshot, context } = await turns(machine, toConfirm.slice(0, 7));
  expect(context?.summary?.card).toBe('6222 **** **** 0128');
  const json = JSON.stringify(snapshot);
  for (const secret of ['6222021234567890128', '11010519491231002X', '13800138000', '18612345678']) {
    expect(json).not.toContain(secret);
  }
});
