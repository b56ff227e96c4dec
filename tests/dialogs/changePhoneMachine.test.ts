import { changePhoneMachine, effectsActor } from '../../dialogs/changePhone';
import type { ChartContext, ChartEffects, ChartEvent, Reply } from '../../dialogs/types';
import type { Intent } from '../../domain/intent';
import { runChart } from '../../bot/runChart';
import type { Snapshot } from 'xstate';

/** Fake effects: the chart is tested alone, with no I/O. */
function fakes(overrides: Partial<ChartEffects> = {}) {
  const calls: string[] = [];
  const effects: Partial<ChartEffects> = {
    verifyIdentity: async () => {
      calls.push('verifyIdentity');
      return { result: 'ok', customerId: 'cust', cardId: 'card' };
    },
    sendCode: async (input) => {
      calls.push(`sendCode:${input.purpose}`);
      return { result: 'sent', ttlMinutes: 5, resendSeconds: 60 };
    },
    verifyCode: async (input) => {
      calls.push(`verifyCode:${input.code}`);
      return input.code === '909090' ? { result: 'ok', codeId: 'code-1' } : { result: 'wrong', attemptsLeft: 4 };
    },
    checkNewPhone: async () => ({ result: 'ok' }),
    changeBinding: async (input) => {
      calls.push(`changeBinding:${input.idempotencyKey}`);
      return { result: 'changed' };
    },
    requestAgent: async () => ({ result: 'queued', ticket: 'HTEST', position: 1, waitMinutes: 5, requestedAt: 0 }),
    ...overrides,
  };
  return { machine: changePhoneMachine.provide({ actors: { effects: effectsActor(effects) } }), calls };
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
    changeBinding: async () => {
      throw new Error('core down');
    },
  });
  const { replies, context } = await turns(machine, [...toConfirm, [said('确认', 'affirm')]]);
  expect(replies.at(-1)?.map((r) => r.key)).toEqual(['error.changeFailed', 'ask.confirm']);
  expect(context?.expecting).toBe('confirm');
});

test('a bank error during the identity check ends with a clear message, not a crash', async () => {
  const { machine } = fakes({
    verifyIdentity: async () => {
      throw new Error('timeout');
    },
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
    checkNewPhone: async () => ({ result: 'taken' }),
  });
  const { snapshot, context } = await turns(machine, toConfirm.slice(0, 7));
  expect(context?.summary?.card).toBe('6222 **** **** 0128');
  const json = JSON.stringify(snapshot);
  for (const secret of ['6222021234567890128', '11010519491231002X', '13800138000', '18612345678']) {
    expect(json).not.toContain(secret);
  }
});

describe('people: the chart alone, with fake effects', () => {
  const boom = async (): Promise<never> => {
    throw new Error('queue down');
  };
  const queued = [[{ type: 'AGENT_REQUESTED' } as ChartEvent]];

  test('a queue that cannot be reached: a clear message and the menu', async () => {
    const { machine } = fakes({ requestAgent: boom });
    const { replies, context } = await turns(machine, queued);
    expect(replies[0]).toEqual([{ key: 'handoff.unavailable', buttons: ['changePhone', 'faq', 'agent'] }]);
    expect(context?.handoff).toBeUndefined();
  });

  test('a message that cannot be passed on is said so, and the customer keeps waiting', async () => {
    const { machine } = fakes({ relayToAgent: boom });
    const { replies, context } = await turns(machine, [...queued, [said('还要多久')]]);
    expect(replies[1]).toEqual([{ key: 'handoff.relayFailed' }]);
    expect(context?.handoff).toMatchObject({ ticket: 'HTEST', status: 'waiting' });
  });

  test('leaving a queue whose ticket already ended goes back to the bot', async () => {
    const { machine } = fakes({
      leaveQueue: async () => ({ result: 'ended' }),
    });
    const { replies, context } = await turns(machine, [...queued, [{ type: 'CANCEL_REQUESTED' }]]);
    expect(replies[1]?.[0]).toMatchObject({ key: 'handoff.left', handoff: { status: 'left', ticket: 'HTEST' } });
    expect(context?.handoff).toBeUndefined();
  });

  test('a call back that cannot be recorded: a clear message, nothing half-kept', async () => {
    const { machine } = fakes({
      requestAgent: async () => ({ result: 'closed' }),
      requestCallback: boom,
    });
    const { replies, context } = await turns(machine, [...queued, [said('明天上午')]]);
    expect(replies[0]?.map((r) => r.key)).toEqual(['handoff.afterHoursNoOpening', 'ask.callbackTime']);
    expect(replies[1]?.map((r) => r.key)).toEqual(['handoff.unavailable']);
    expect(context?.offeredHandoff).toBeUndefined();
  });

  test('queue updates: only a better place is announced; other tickets are ignored', async () => {
    const { machine } = fakes();
    const moved = (ticket: string, position: number): ChartEvent => ({ type: 'QUEUE_MOVED', ticket, position, waitMinutes: position * 5 });
    const { replies, context } = await turns(machine, [...queued, [moved('HTEST', 1)], [moved('OTHER', 1)], [moved('HTEST', 2)]]);
    expect(replies.slice(1)).toEqual([[], [], []]);
    expect(context?.handoff).toMatchObject({ position: 2, waitMinutes: 10 });
  });

  test('a rating is recorded once, for the ticket of the person who helped', async () => {
    const rated: unknown[] = [];
    const { machine: base } = fakes();
    const machine = base.provide({ actions: { recordRating: (_, params) => rated.push(params) } });
    await turns(machine, [
      ...queued,
      [{ type: 'AGENT_JOINED', ticket: 'HTEST', agentName: 'A' }],
      [{ type: 'AGENT_LEFT', ticket: 'HTEST', how: 'returned' }],
      [said('4分')],
      [said('5')],
    ]);
    expect(rated).toEqual([{ ticket: 'HTEST', stars: 4, conversationId: 'c' }]);
  });
});
