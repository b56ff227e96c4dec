/**
 * The change-number chart (dialogs/changePhone/) as the coverage graph sees it:
 *   - what may happen in each state: samples of the customer's messages (with the intent the
 *     recogniser would give them), commands, knowledge-base questions, and the agent side's events;
 *   - what each effect may answer (every branch of its `onDone`, and a failure for `onError`);
 *   - what of a snapshot matters for what happens next (`serializeState`).
 * A state or an effect added to the chart needs its samples here; the coverage test says which.
 */
import type { AnyMachineSnapshot } from 'xstate';
import { changePhoneMachine } from '../../dialogs/changePhone';
import type { ChartContext, ChartEvent } from '../../dialogs/types';
import type { Intent } from '../../domain/intent';
import type { ChartModel, EffectOutcome } from './chartCoveragePaths';

const said = (text: string, intent: Intent = 'none'): ChartEvent => ({ type: 'SAID', text, intent });

const TICKET = 'HTEST';
const CARD = '6222021234567890128';
const OLD_PHONE = '13800138000';

const wantsChange = said('我要换绑手机号', 'changePhone');
/** A change asked for by a customer who says the current number may be gone: they are asked about it. */
const wantsChangeNumberGone = said('原来的号码停用了，我要换绑手机号', 'changePhone');
const smallTalk = said('今天天气怎么样');
const yes = said('确认', 'affirm');
const no = said('不用了', 'deny');
/** A correction of the new number, wherever the flow is. */
const newNumberCorrected = said('不对，新号码是18612345679');

/** What the customer says, by state: the expected answers, and what else may come instead. */
const customerSays: Record<string, ChartEvent[]> = {
  idle: [wantsChange, wantsChangeNumberGone, said('你好', 'greeting'), said('谢谢', 'thanks'), said('再见', 'goodbye'), said(CARD), smallTalk],
  'changing.collectingCard': [said(CARD)],
  'changing.collectingId': [said('11010519491231002X')],
  'changing.collectingOldPhone': [said(OLD_PHONE)],
  'changing.askingReachable': [said('能', 'affirm'), said('不能', 'deny')],
  'changing.awaitingCode': [
    said('909090'),
    said('重发', 'resend'),
    said('这个号码收不到短信', 'cantReceive'),
    newNumberCorrected,
  ],
  'changing.collectingNewPhone': [said('18612345678')],
  'changing.confirming': [yes, no, newNumberCorrected],
  rating: [said('5'), no, smallTalk],
  // A phone number is not a time to call back.
  offeringCallback: [said('明天上午'), no, said(OLD_PHONE)],
  waitingForAgent: [said('还要多久')],
  withAgent: [said('还要多久')],
  withChannel: [said('还要多久')],
};

/** At any question of the flow, besides its answer. */
const inFlow: ChartEvent[] = [said('我的密码是123456'), wantsChange, said('你好', 'greeting'), smallTalk];

/** Commands and questions (each state keeps those it handles, and the bot those it lets through). */
const anywhere: ChartEvent[] = [
  { type: 'JOINED' },
  { type: 'CANCEL_REQUESTED' },
  { type: 'RESTART_REQUESTED' },
  { type: 'HELP_REQUESTED' },
  { type: 'AGENT_REQUESTED' },
  { type: 'COMPLAINED' },
  { type: 'COMPROMISE_REPORTED' },
  { type: 'ASKED', faqId: 'fees' },
  { type: 'ASKED_UNCLEARLY', faqIds: ['fees', 'howLong'] },
  { type: 'FEEDBACK_GIVEN', helpful: false },
  { type: 'LOCALE_SET', locale: 'en-US' },
];

/** The agent side and the channel's agent hub (proactive turns). */
const people: ChartEvent[] = [
  { type: 'QUEUE_MOVED', ticket: TICKET, position: 1, waitMinutes: 5 },
  { type: 'AGENT_JOINED', ticket: TICKET, agentName: '王丽' },
  { type: 'AGENT_SAID', ticket: TICKET, agentName: '王丽', text: '您好' },
  { type: 'AGENT_LEFT', ticket: TICKET, how: 'closed' },
  { type: 'HANDOFF_STATUS', state: 'accepted' },
  { type: 'HANDOFF_STATUS', state: 'failed' },
  { type: 'HANDOFF_STATUS', state: 'completed' },
];

const fails = { error: new Error('fake failure') };

/** Every effect's answers: one per branch of its `onDone`, and a failure. */
export const effectOutcomes: Record<string, EffectOutcome[]> = {
  verifyIdentity: [
    { output: { result: 'ok', customerId: 'cust-1', cardId: 'card-1' } },
    { output: { result: 'mismatch', attemptsLeft: 2 } },
    { output: { result: 'locked', minutesLeft: 30 } },
    { output: { result: 'limited', retryAfterSeconds: 3600 } },
    { output: { result: 'abnormal', standing: 'cardFrozen' } },
    fails,
  ],
  sendCode: [{ output: { result: 'sent', ttlMinutes: 5, resendSeconds: 60 } }, { output: { result: 'locked', minutesLeft: 30 } }, fails],
  verifyCode: [
    { output: { result: 'ok', codeId: 'code-1' } },
    { output: { result: 'wrong', attemptsLeft: 4 } },
    { output: { result: 'locked', minutesLeft: 30 } },
    fails,
  ],
  checkNewPhone: [{ output: { result: 'ok' } }, { output: { result: 'taken' } }, fails],
  changeBinding: [{ output: { result: 'changed' } }, { output: { result: 'conflict' } }, fails],
  requestAgent: [
    { output: { result: 'queued', ticket: TICKET, position: 2, waitMinutes: 10, requestedAt: 0 } },
    { output: { result: 'withAgent', ticket: TICKET, agentName: '王丽', requestedAt: 0 } },
    { output: { result: 'channel', ticket: TICKET, requestedAt: 0 } },
    { output: { result: 'closed', opensAt: '09:00' } },
    fails,
  ],
  relayToAgent: [
    { output: { status: 'waiting', position: 1, waitMinutes: 5 } },
    { output: { status: 'withAgent', agentName: '王丽' } },
    { output: { status: 'ended' } },
    fails,
  ],
  leaveQueue: [{ output: { result: 'left' } }, { output: { result: 'withAgent', agentName: '王丽' } }, fails],
  requestCallback: [{ output: { id: 'cb-1', preferredTime: '明天上午' } }, fails],
};

/** `changing.awaitingCode`, `idle`: the state a snapshot rests in, as the keys of `customerSays`. */
function stateName(snapshot: AnyMachineSnapshot): string {
  const value: unknown = snapshot.value;
  if (typeof value === 'string') return value;
  const [[parent, child]] = Object.entries(value as Record<string, string>) as [[string, string]];
  return `${parent}.${child}`;
}

/**
 * How the bot takes the customer's words (`listenMode` in bot/RebindBot.ts, applied by
 * bot/activityToEvents.ts): with a person everything is relayed as it is; while waiting for one,
 * or when asked for a call-back time, only cancel, restart and "a person" are commands.
 */
function listenMode(c: ChartContext): 'normal' | 'limited' | 'relay' {
  const status = c.handoff?.status;
  if (status === 'withAgent' || status === 'channel') return 'relay';
  if (status === 'waiting' || c.expecting === 'callbackTime') return 'limited';
  return 'normal';
}

/** Events that are not the customer's words: they reach the chart in every mode. */
const NOT_WORDS = new Set(['JOINED', 'LOCALE_SET']);
const LIMITED_COMMANDS = new Set(['CANCEL_REQUESTED', 'RESTART_REQUESTED', 'AGENT_REQUESTED']);

function sampleEvents(snapshot: AnyMachineSnapshot): ChartEvent[] {
  const state = stateName(snapshot);
  const mode = listenMode(snapshot.context as ChartContext);
  const says = [...(customerSays[state] ?? []), ...(state.startsWith('changing.') ? inFlow : [])];
  const commands = anywhere.filter((e) => mode === 'normal' || NOT_WORDS.has(e.type) || (mode === 'limited' && LIMITED_COMMANDS.has(e.type)));
  return [...says, ...commands, ...people];
}

/**
 * What matters for what happens next, and nothing else (no texts, numbers, counters or tickets):
 *   - in the flow: which details are held and which checks passed — exactly what `routing` reads —
 *     and whether a live code exists for each number (routing waits for it rather than sending again);
 *   - at rest: how many messages in a row were not understood (the second one offers a person);
 *   - elsewhere: the state alone (the agent side's events name the one ticket the fakes hand out).
 */
export function serializeState(snapshot: AnyMachineSnapshot): string {
  const c = snapshot.context as ChartContext;
  const state = stateName(snapshot);
  if (state.startsWith('changing.')) {
    const flag = (on: unknown, letter: string) => (on ? letter : '-');
    const details = [flag(c.card, 'C'), flag(c.idNumber, 'I'), flag(c.oldPhone, 'O'), flag(c.newPhone, 'N')].join('');
    const checks = [
      flag(c.passed.identity, 'i'),
      flag(c.oldPhoneDoubt, 'd'),
      flag(c.reachable, 'r'),
      flag(c.codes.sentOld === c.codes.old, 's'),
      flag(c.passed.oldCode, 'o'),
      flag(c.newPhoneFree, 'f'),
      flag(c.codes.sentNew === c.codes.new, 's'),
      flag(c.passed.newCode, 'n'),
    ].join('');
    return `${state} ${details} ${checks}`;
  }
  if (state === 'idle') return `idle fallbacks=${c.fallbacks}`;
  return state;
}

export const changePhoneChartModel: ChartModel = {
  machine: changePhoneMachine,
  input: { conversationId: 'c' },
  events: sampleEvents,
  outcomes: effectOutcomes,
  serializeState,
};
