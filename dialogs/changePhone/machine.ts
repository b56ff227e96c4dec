import { assign, emit, enqueueActions, fromPromise, raise, setup } from 'xstate';
import { extractDetails, oldNumberGone } from '../../domain/details';
import { looksLikeSecret, parseRating, validateCallbackTime, validateOtp } from '../../domain/validation';
import { absorbDetails } from './details';
import {
  codeButtons,
  codePhone,
  codeTarget,
  lockedReply,
  menuButtons,
  question,
  refusalReason,
  minutesFrom,
  sendReply,
  summarize,
  verifyReply,
} from './replies';
import type {
  ActedIntent,
  CallbackInput,
  CallbackOutput,
  HandoffChannelData,
  HandoffRecord,
  LeaveQueueOutput,
  RelayInput,
  RelayOutput,
  ChangeBindingInput,
  ChangeBindingOutput,
  ChartContext,
  ChartEmitted,
  ChartEvent,
  ChartInput,
  CodeBinding,
  CheckNewPhoneInput,
  CheckNewPhoneOutput,
  IdentityInput,
  IdentityOutput,
  Reply,
  RequestAgentInput,
  RequestAgentOutput,
  SendCodeInput,
  SendCodeOutput,
  VerifyCodeInput,
  VerifyCodeOutput,
} from '../types';
import type { Details } from '../../domain/details';
import type { Expecting } from '../../domain/expecting';
import type { HandoffReason } from '../../domain/handoffReason';
import type { Intent } from '../../domain/intent';
import type { MaskedSummary } from '../../domain/maskedSummary';
import { maskPhone } from '../../domain/mask';

/** After this many failed answers to one question, a person is offered. */
export const MISSES_BEFORE_AGENT = 3;
/** After this many messages in a row the bot cannot place, a person is offered. */
export const FALLBACKS_BEFORE_AGENT = 2;

/** An effect the root forgot to provide fails loudly instead of pretending to work. */
function notProvided<O, I>(name: string) {
  return fromPromise<O, I>(async () => {
    throw new Error(`effect '${name}' was not provided to the chart`);
  });
}

const said = (event: ChartEvent): string => (event.type === 'SAID' ? event.text : '');
const intentOf = (event: ChartEvent): Intent | undefined => (event.type === 'SAID' ? event.intent : undefined);

/**
 * Details already read from a message, per question: the guard that looks for details and the
 * action that takes them read the same message in the same light, so it is parsed once.
 */
const readDetails = new WeakMap<ChartEvent, { hint: string; details: Details }>();

/** The details in what the customer said, read in the light of the question on screen. */
function detailsIn(context: ChartContext, event: ChartEvent): Details {
  if (event.type !== 'SAID') return { corrected: [] };
  const hint = { expecting: context.expecting, otpTarget: codeTarget(context) };
  const key = `${hint.expecting ?? ''}/${hint.otpTarget}`;
  const known = readDetails.get(event);
  if (known?.hint === key) return known.details;
  const details = extractDetails(event.text, hint);
  readDetails.set(event, { hint: key, details });
  return details;
}

/** The code step's binding: whatever detail changes makes a new generation, and old codes void. */
function codeBinding(context: ChartContext): CodeBinding {
  const purpose = codeTarget(context);
  return {
    conversationId: context.conversationId,
    purpose,
    phone: codePhone(context, purpose),
    card: context.card ?? '',
    generation: context.codes[purpose],
  };
}

/** The code travels in the event that entered the verifying state: it is never kept in context. */
function verifyInput(context: ChartContext, event: ChartEvent): VerifyCodeInput {
  const r = validateOtp(said(event));
  return { ...codeBinding(context), code: r.ok ? r.code : '' };
}

const emptyDetails = {
  card: undefined,
  idType: undefined,
  idNumber: undefined,
  oldPhone: undefined,
  newPhone: undefined,
  customerId: undefined,
  cardId: undefined,
  newCodeId: undefined,
  reachable: undefined,
  oldPhoneDoubt: undefined,
  newPhoneFree: undefined,
  passed: { identity: false, oldCode: false, newCode: false },
} satisfies Partial<ChartContext>;

/** Voids every code of the flow: the next code for either number belongs to a new generation. */
const nextCodes = (codes: ChartContext['codes']): ChartContext['codes'] => ({ old: codes.old + 1, new: codes.new + 1 });

const busy = 'busy' as const;

/** The output of a code effect that says the card is locked, if that is what `event` carries. */
function lockedOutput(event: unknown): { minutesLeft: number } | undefined {
  const output = (event as { output?: SendCodeOutput | VerifyCodeOutput }).output;
  return output?.result === 'locked' ? output : undefined;
}

/** The masked context a person gets: the flow in progress, or the summary of the last one. */
function handoffSummary(context: ChartContext): MaskedSummary {
  return context.card || context.oldPhone || !context.summary ? summarize(context) : context.summary;
}

/** An event from the agent side about this conversation's current ticket (stale ones are ignored). */
function aboutTicket(context: ChartContext, event: ChartEvent): boolean {
  return 'ticket' in event && context.handoff !== undefined && event.ticket === context.handoff.ticket;
}

/** What `channelData.handoff` says while the customer waits. */
function waitingData(handoff: Pick<HandoffRecord, 'ticket' | 'position' | 'waitMinutes'>): HandoffChannelData {
  return {
    status: 'waiting',
    ticket: handoff.ticket,
    ...(handoff.position !== undefined ? { position: handoff.position } : {}),
    ...(handoff.waitMinutes !== undefined ? { waitMinutes: handoff.waitMinutes } : {}),
  };
}

/** A reply while waiting: the place in the queue, the wait, and a way out. */
function waitingReply(key: string, handoff: HandoffRecord, extra: Partial<Reply> = {}): Reply {
  return {
    key,
    params: { ticket: handoff.ticket, position: handoff.position ?? 1, waitMinutes: handoff.waitMinutes ?? 1 },
    buttons: ['stopWaiting'],
    handoff: waitingData(handoff),
    ...extra,
  };
}

const connectedReply = (ticket: string, agentName: string): Reply => ({
  key: 'handoff.connected',
  params: { agent: agentName },
  handoff: { status: 'withAgent', ticket, agentName },
});

/** Both code steps end the same way when the card is locked: the flow stops, a person is offered. */
const whenCodesLocked = { guard: 'codesLocked', target: '#rebind.idle', actions: 'sayOtpLocked' } as const;

/**
 * The change-number conversation. Pure: every effect is named here and provided at the composition
 * root (`machine.provide({ actors, actions })`); tests provide fakes. What the bot says is emitted
 * as `{ type: 'reply', reply }` with a message key; wording lives in content/.
 */
export const changePhoneMachine = setup({
  types: {
    context: {} as ChartContext,
    events: {} as ChartEvent,
    input: {} as ChartInput,
    emitted: {} as ChartEmitted,
    tags: {} as 'busy',
  },
  actors: {
    verifyIdentity: notProvided<IdentityOutput, IdentityInput>('verifyIdentity'),
    sendCode: notProvided<SendCodeOutput, SendCodeInput>('sendCode'),
    verifyCode: notProvided<VerifyCodeOutput, VerifyCodeInput>('verifyCode'),
    checkNewPhone: notProvided<CheckNewPhoneOutput, CheckNewPhoneInput>('checkNewPhone'),
    changeBinding: notProvided<ChangeBindingOutput, ChangeBindingInput>('changeBinding'),
    requestAgent: notProvided<RequestAgentOutput, RequestAgentInput>('requestAgent'),
    relayToAgent: notProvided<RelayOutput, RelayInput>('relayToAgent'),
    leaveQueue: notProvided<LeaveQueueOutput, { ticket: string; conversationId: string }>('leaveQueue'),
    requestCallback: notProvided<CallbackOutput, CallbackInput>('requestCallback'),
  },
  guards: {
    intentIs: ({ event }, params: { intent: Intent }) => intentOf(event) === params.intent,
    looksLikeSecret: ({ event }) => looksLikeSecret(said(event)),
    /** The sentence brings a detail the flow does not hold yet, or a different one (a correction). */
    bringsDetails: ({ context, event }) => absorbDetails(context, detailsIn(context, event)) !== undefined,
    /** A code, and not a PIN or CVV typed by mistake ("密码 123456"). */
    codeGiven: ({ event }) => validateOtp(said(event)).ok && !looksLikeSecret(said(event)),
    wantsResend: ({ event }) => intentOf(event) === 'resend',
    affirmed: ({ event }) => intentOf(event) === 'affirm',
    denied: ({ event }) => intentOf(event) === 'deny',
    /** A code step came back locked: too many wrong codes for this card. */
    codesLocked: ({ event }) => lockedOutput(event) !== undefined,
    fallbackLimitReached: ({ context }) => context.fallbacks + 1 >= FALLBACKS_BEFORE_AGENT,
    aboutTicket: ({ context, event }) => aboutTicket(context, event),
    ratingGiven: ({ event }) => parseRating(said(event)) !== undefined,
    callbackTimeGiven: ({ event }) => validateCallbackTime(said(event)).ok,
  },
  actions: {
    say: emit((_, reply: Reply) => ({ type: 'reply' as const, reply })),
    acted: emit((_, params: { intent: ActedIntent; faqId?: string }) => ({ type: 'acted' as const, ...params })),
    informed: emit({ type: 'acted' as const, intent: 'inform' as const }),
    setLocale: assign(({ event }) => (event.type === 'LOCALE_SET' ? { locale: event.locale } : {})),
    /** Records the customer's rating of the person who helped. An effect: provided at the root. */
    recordRating: (_, _params: { ticket: string; stars: number; conversationId: string }) => {
      throw new Error("effect 'recordRating' was not provided to the chart");
    },
    /** Records whether a knowledge-base answer helped. An effect: provided at the root. */
    recordFeedback: (_, _params: { faqId: string; helpful: boolean; conversationId: string }) => {
      throw new Error("effect 'recordFeedback' was not provided to the chart");
    },

    /** Asks a question: sets what the bot now expects and starts counting misses afresh. */
    ask: enqueueActions(({ context, enqueue }, params: { expecting: Expecting }) => {
      enqueue.assign({ expecting: params.expecting, misses: 0 });
      enqueue.emit({ type: 'reply', reply: question(params.expecting, { ...context, expecting: params.expecting }) });
    }),
    /** Says the current question again (after help, a warning or a digression); nothing outside a flow. */
    askAgain: enqueueActions(({ context, enqueue }) => {
      if (context.expecting) enqueue.emit({ type: 'reply', reply: question(context.expecting, context) });
    }),
    /** Takes the details of the customer's sentence into the flow, saying what was noted or corrected. */
    takeDetails: enqueueActions(({ context, event, enqueue }) => {
      const absorbed = absorbDetails(context, detailsIn(context, event));
      if (!absorbed) return;
      enqueue.assign(absorbed.patch);
      if (absorbed.reply) enqueue.emit({ type: 'reply', reply: absorbed.reply });
    }),
    /** Answers a knowledge-base question; outside a question, asks whether it helped. */
    answer: enqueueActions(({ context, enqueue }, params: { faqId: string }) => {
      const idle = context.expecting === undefined;
      enqueue.emit({
        type: 'reply',
        reply: {
          key: `faq.${params.faqId}`,
          data: { faqId: params.faqId },
          ...(idle && params.faqId !== 'menu'
            ? { lines: [{ key: 'faq.helpfulQuestion' }], buttons: ['helpful', 'notHelpful'] as const }
            : {}),
        } as Reply,
      });
      enqueue.assign({ lastFaqId: idle && params.faqId !== 'menu' ? params.faqId : undefined });
    }),
    saySendResult: enqueueActions(({ context, enqueue }, params: { output: SendCodeOutput }) => {
      const target = codeTarget(context);
      enqueue.assign({
        expecting: 'otp',
        misses: 0,
        // A live code now exists for this generation: coming back to this step does not send another.
        ...(params.output.result === 'sent'
          ? { codes: { ...context.codes, [target === 'old' ? 'sentOld' : 'sentNew']: context.codes[target] } }
          : {}),
      });
      enqueue.emit({ type: 'reply', reply: sendReply(context, params.output, target) });
    }),
    sayVerifyResult: emit(({ context }, params: { output: VerifyCodeOutput }) => ({
      type: 'reply' as const,
      reply: verifyReply(context, params.output, codeTarget(context)),
    })),
    sayTemporaryError: emit(({ context }) => ({
      type: 'reply' as const,
      reply: {
        key: 'error.temporary',
        expecting: 'otp' as const,
        otpTarget: codeTarget(context),
        params: { phone: maskPhone(codePhone(context, codeTarget(context))) },
        buttons: codeButtons(codeTarget(context)),
      },
    })),
    sayOtpLocked: enqueueActions(({ event, enqueue }) => {
      const output = lockedOutput(event);
      enqueue.emit({ type: 'reply', reply: lockedReply(output?.minutesLeft ?? 0) });
      enqueue.assign({ offeredHandoff: 'otpLocked' });
    }),
    sayServiceError: enqueueActions(({ enqueue }) => {
      enqueue.emit({ type: 'reply', reply: { key: 'error.bankUnavailable', buttons: menuButtons() } });
      enqueue.assign({ offeredHandoff: 'serviceError' });
    }),
    /** Refuses an answer: says what was wrong with an example; the third miss offers a person. */
    refuse: enqueueActions(({ context, event, enqueue }) => {
      const expecting = context.expecting;
      if (!expecting) return;
      const misses = context.misses + 1;
      const reason = refusalReason(expecting, said(event), context);
      const base = question(expecting, context);
      enqueue.assign({ misses });
      enqueue.emit({
        type: 'reply',
        reply: {
          ...base,
          key: `invalid.${expecting}.${reason}`,
          data: { reason },
          buttons: misses >= MISSES_BEFORE_AGENT ? [...(base.buttons ?? []), 'agent'] : base.buttons,
        },
      });
      if (misses >= MISSES_BEFORE_AGENT) enqueue.assign({ offeredHandoff: 'repeatedMisses' });
    }),
    offerAgent: assign((_, params: { reason: HandoffReason }) => ({ offeredHandoff: params.reason })),

    startFlow: assign(({ context }) => ({
      ...emptyDetails,
      codes: nextCodes(context.codes),
      misses: 0,
      fallbacks: 0,
      offeredHandoff: undefined,
      summary: undefined,
      lastFaqId: undefined,
    })),
    /** The flow is over: drop every detail, keep a masked summary for a later handoff. */
    endFlow: assign(({ context }) => ({
      ...emptyDetails,
      summary: context.card || context.oldPhone ? summarize(context) : context.summary,
      expecting: undefined,
      misses: 0,
    })),
    /** Identity passed: keep the bank's references; the full ID number is no longer needed. */
    storeIdentity: assign(({ context }, params: { customerId: string; cardId: string }) => ({
      customerId: params.customerId,
      cardId: params.cardId,
      idNumber: context.idNumber ? summarize(context).idNumber : undefined,
      passed: { ...context.passed, identity: true },
    })),
    /** Identity failed: nothing the customer typed is kept; they start the details again. */
    forgetDetails: assign(({ context }) => ({ ...emptyDetails, codes: nextCodes(context.codes) })),
    passOldCode: assign(({ context }) => ({ passed: { ...context.passed, oldCode: true } })),
    passNewCode: assign(({ context }, params: { codeId: string }) => ({
      newCodeId: params.codeId,
      passed: { ...context.passed, newCode: true },
    })),
    /** People have the conversation: the flow is over (its masked summary stays). */
    holdHandoff: assign((_, params: { handoff: HandoffRecord }) => ({ handoff: params.handoff, offeredHandoff: undefined })),
    /** People are done: the ticket is kept only to rate it. */
    releaseHandoff: assign(({ context }) => ({ handoff: undefined, ratingFor: context.handoff?.ticket })),
    /** A person has the conversation now: keep who, and tell the customer. */
    connectAgent: enqueueActions(({ context, enqueue }, params: { agentName: string }) => {
      if (!context.handoff) return;
      enqueue.assign({ handoff: { ...context.handoff, status: 'withAgent', agentName: params.agentName } });
      enqueue.emit({ type: 'reply', reply: connectedReply(context.handoff.ticket, params.agentName) });
    }),
    sayAgentLeft: emit(({ context, event }) => ({
      type: 'reply' as const,
      reply: {
        key: `handoff.ended.${event.type === 'AGENT_LEFT' ? event.how : 'closed'}`,
        params: { agent: context.handoff?.agentName ?? '' },
        handoff: { status: 'ended' as const, ...(context.handoff ? { ticket: context.handoff.ticket } : {}) },
      },
    })),
    sayNotDelivered: emit({
      type: 'reply' as const,
      reply: { key: 'handoff.notDelivered', buttons: menuButtons(), handoff: { status: 'ended' as const } },
    }),
    sayCallbackDeclined: enqueueActions(({ enqueue }) => {
      enqueue.emit({ type: 'reply', reply: { key: 'callback.declined', buttons: menuButtons() } });
      enqueue.assign({ offeredHandoff: undefined });
    }),
    /** The sentence that started the flow says the current number may be gone: ask before sending to it. */
    noteOldPhoneDoubt: assign(({ event }) => (oldNumberGone(said(event)) ? { oldPhoneDoubt: true } : {})),
    /** The current number cannot receive codes: the flow stops here and a person is offered. */
    sayUnreachable: enqueueActions(({ enqueue }) => {
      enqueue.emit({ type: 'reply', reply: { key: 'oldPhone.unreachable', outcome: 'rejected', buttons: ['agent'] } });
      enqueue.assign({ offeredHandoff: 'oldPhoneUnreachable' });
    }),
    noteFallback: assign(({ context }) => ({ fallbacks: context.fallbacks + 1 })),
    resetFallbacks: assign({ fallbacks: 0 }),
  },
}).createMachine({
  id: 'rebind',
  context: ({ input }) => ({
    conversationId: input.conversationId,
    locale: 'zh-CN',
    misses: 0,
    fallbacks: 0,
    codes: { old: 0, new: 0 },
    passed: { identity: false, oldCode: false, newCode: false },
  }),
  initial: 'idle',
  on: {
    LOCALE_SET: { actions: 'setLocale' },
    // A question from the knowledge base, answered wherever the customer is; the flow keeps its
    // place and the pending question is asked again. No effect runs again.
    ASKED: {
      actions: [
        { type: 'acted', params: ({ event }) => ({ intent: 'faq' as const, faqId: event.faqId }) },
        { type: 'answer', params: ({ event }) => ({ faqId: event.faqId }) },
        'askAgain',
      ],
    },
    // Could be one of a few topics: offer them; the chosen one comes back as ASKED.
    ASKED_UNCLEARLY: {
      actions: [
        { type: 'acted', params: { intent: 'faq', faqId: 'which' } },
        {
          type: 'say',
          params: ({ context, event }): Reply => {
            const which: Reply = { key: 'faq.which', topics: event.faqIds, data: { faqId: 'which' } };
            if (!context.expecting) return which;
            // In the middle of the flow the pending question stays on screen: asked again under the
            // topics, in the same message, so the topic buttons and the question's own buttons show together.
            const pending = question(context.expecting, context);
            return {
              ...which,
              lines: [{ key: pending.key, ...(pending.params ? { params: pending.params } : {}) }],
              expecting: pending.expecting,
              ...(pending.otpTarget ? { otpTarget: pending.otpTarget } : {}),
              ...(pending.buttons ? { buttons: pending.buttons } : {}),
            };
          },
        },
      ],
    },
    // The current number is in someone else's hands: no code goes to it (a flow in progress ends);
    // the customer hears why and how to protect the card now, and goes to a person, first in line.
    COMPROMISE_REPORTED: {
      target: '.handingOff',
      actions: [
        { type: 'acted', params: { intent: 'handoff' } },
        { type: 'say', params: { key: 'compromised.protect', data: { reason: 'numberCompromised' } } },
        { type: 'offerAgent', params: { reason: 'numberCompromised' } },
      ],
    },
    FEEDBACK_GIVEN: {
      actions: enqueueActions(({ context, event, enqueue }) => {
        const faqId = context.lastFaqId;
        const helpful = event.helpful;
        enqueue.emit({ type: 'acted', intent: 'faq', ...(faqId ? { faqId } : {}) });
        if (faqId) {
          enqueue({ type: 'recordFeedback', params: { faqId, helpful, conversationId: context.conversationId } });
        }
        enqueue.emit({
          type: 'reply',
          reply: helpful
            ? { key: 'feedback.thanks', ...(faqId ? { data: { faqId } } : {}) }
            : { key: 'feedback.sorry', buttons: ['faq', 'agent'], ...(faqId ? { data: { faqId } } : {}) },
        });
        enqueue.assign({ lastFaqId: undefined });
        enqueue('askAgain');
      }),
    },
    COMPLAINED: {
      target: '.handingOff',
      actions: [
        { type: 'acted', params: { intent: 'handoff' } },
        { type: 'say', params: { key: 'complaint.ack' } },
        { type: 'offerAgent', params: { reason: 'complaint' } },
      ],
    },
    AGENT_REQUESTED: { target: '.handingOff', actions: { type: 'acted', params: { intent: 'handoff' } } },
  },
  states: {
    idle: {
      entry: 'endFlow',
      on: {
        JOINED: { actions: [{ type: 'say', params: { key: 'welcome.greeting', buttons: menuButtons() } }] },
        SAID: [
          {
            guard: { type: 'intentIs', params: { intent: 'changePhone' } },
            target: 'changing',
            actions: [{ type: 'acted', params: { intent: 'changePhone' } }, 'resetFallbacks'],
          },
          {
            guard: { type: 'intentIs', params: { intent: 'greeting' } },
            actions: [
              { type: 'acted', params: { intent: 'greeting' } },
              { type: 'say', params: { key: 'welcome.menu', buttons: menuButtons() } },
              'resetFallbacks',
            ],
          },
          {
            guard: { type: 'intentIs', params: { intent: 'thanks' } },
            actions: [
              { type: 'acted', params: { intent: 'greeting' } },
              { type: 'say', params: { key: 'smalltalk.thanks', buttons: menuButtons() } },
              'resetFallbacks',
            ],
          },
          {
            guard: { type: 'intentIs', params: { intent: 'goodbye' } },
            actions: [
              { type: 'acted', params: { intent: 'greeting' } },
              { type: 'say', params: { key: 'smalltalk.goodbye' } },
              'resetFallbacks',
            ],
          },
          // Card or phone numbers without a word of what for: most likely the change; start it with them.
          {
            guard: 'bringsDetails',
            target: 'changing',
            actions: [{ type: 'acted', params: { intent: 'changePhone' } }, 'resetFallbacks'],
          },
          {
            guard: 'fallbackLimitReached',
            actions: [
              { type: 'acted', params: { intent: 'none' } },
              { type: 'say', params: { key: 'fallback.offerAgent', buttons: ['changePhone', 'faq', 'agent'] } },
              { type: 'offerAgent', params: { reason: 'outOfScope' } },
              'resetFallbacks',
            ],
          },
          {
            actions: [
              { type: 'acted', params: { intent: 'none' } },
              { type: 'say', params: { key: 'fallback.notUnderstood', buttons: menuButtons() } },
              'noteFallback',
            ],
          },
        ],
        HELP_REQUESTED: {
          actions: [
            { type: 'acted', params: { intent: 'faq', faqId: 'help' } },
            { type: 'say', params: { key: 'help.idle', buttons: menuButtons(), data: { faqId: 'help' } } },
          ],
        },
        CANCEL_REQUESTED: {
          actions: [
            { type: 'acted', params: { intent: 'cancel' } },
            { type: 'say', params: { key: 'cancel.nothingToCancel', buttons: menuButtons() } },
          ],
        },
        RESTART_REQUESTED: {
          target: 'changing',
          actions: [{ type: 'acted', params: { intent: 'changePhone' } }],
        },
      },
    },

    changing: {
      // The sentence that started the flow may already hold details: they are taken, and only
      // what is missing is asked for.
      entry: ['startFlow', { type: 'say', params: { key: 'flow.intro' } }, 'noteOldPhoneDoubt', 'takeDetails'],
      initial: 'routing',
      on: {
        CANCEL_REQUESTED: {
          target: 'idle',
          actions: [
            { type: 'acted', params: { intent: 'cancel' } },
            { type: 'say', params: { key: 'cancel.done', outcome: 'cancelled', buttons: menuButtons() } },
          ],
        },
        RESTART_REQUESTED: {
          target: 'changing',
          reenter: true,
          actions: [
            { type: 'acted', params: { intent: 'changePhone' } },
            { type: 'say', params: { key: 'flow.restarted' } },
          ],
        },
        HELP_REQUESTED: {
          actions: [
            { type: 'acted', params: { intent: 'faq', faqId: 'help' } },
            {
              type: 'say',
              params: ({ context }) => ({ key: `help.${context.expecting ?? 'idle'}`, data: { faqId: 'help' } }),
            },
            'askAgain',
          ],
        },
        // Whatever a question's own state does not take lands here.
        SAID: [
          {
            guard: 'looksLikeSecret',
            actions: ['informed', { type: 'say', params: { key: 'warning.secret' } }, 'askAgain'],
          },
          // An answer, several details at once, or a correction of an earlier one.
          { guard: 'bringsDetails', target: '.routing', actions: ['informed', 'takeDetails'] },
          {
            guard: { type: 'intentIs', params: { intent: 'changePhone' } },
            actions: [{ type: 'acted', params: { intent: 'changePhone' } }, 'askAgain'],
          },
          {
            guard: { type: 'intentIs', params: { intent: 'greeting' } },
            actions: [
              { type: 'acted', params: { intent: 'greeting' } },
              { type: 'say', params: { key: 'smalltalk.greetingInFlow' } },
              'askAgain',
            ],
          },
          { actions: ['informed', 'refuse'] },
        ],
      },
      states: {
        // Goes to the first thing still missing or unchecked. Never re-runs an effect that has
        // done its work: a code already sent for the current details is awaited, not sent again.
        routing: {
          always: [
            { guard: ({ context }) => !context.card, target: 'collectingCard' },
            { guard: ({ context }) => !context.idNumber, target: 'collectingId' },
            { guard: ({ context }) => !context.oldPhone, target: 'collectingOldPhone' },
            { guard: ({ context }) => !context.passed.identity, target: 'verifyingIdentity' },
            // The first code goes at once (its prompt offers "can't receive it"); only a customer who
            // said the number may be gone is asked first whether it still receives SMS.
            { guard: ({ context }) => context.oldPhoneDoubt === true && !context.reachable, target: 'askingReachable' },
            {
              guard: ({ context }) => !context.passed.oldCode && context.codes.sentOld === context.codes.old,
              target: 'awaitingCode',
              actions: { type: 'ask', params: { expecting: 'otp' } },
            },
            { guard: ({ context }) => !context.passed.oldCode, target: 'sendingCode' },
            { guard: ({ context }) => !context.newPhone, target: 'collectingNewPhone' },
            { guard: ({ context }) => !context.newPhoneFree, target: 'checkingNewPhone' },
            {
              guard: ({ context }) => !context.passed.newCode && context.codes.sentNew === context.codes.new,
              target: 'awaitingCode',
              actions: { type: 'ask', params: { expecting: 'otp' } },
            },
            { guard: ({ context }) => !context.passed.newCode, target: 'sendingCode' },
            { target: 'confirming' },
          ],
        },
        collectingCard: { entry: { type: 'ask', params: { expecting: 'cardNumber' } } },
        collectingId: { entry: { type: 'ask', params: { expecting: 'idNumber' } } },
        collectingOldPhone: { entry: { type: 'ask', params: { expecting: 'oldPhone' } } },
        verifyingIdentity: {
          tags: busy,
          invoke: {
            src: 'verifyIdentity',
            input: ({ context }): IdentityInput => ({
              conversationId: context.conversationId,
              card: context.card ?? '',
              idType: context.idType ?? 'CN_RESIDENT',
              idNumber: context.idNumber ?? '',
              phone: context.oldPhone ?? '',
            }),
            onDone: [
              {
                guard: ({ event }) => event.output.result === 'ok',
                target: 'routing',
                actions: {
                  type: 'storeIdentity',
                  params: ({ event }) =>
                    event.output.result === 'ok'
                      ? { customerId: event.output.customerId, cardId: event.output.cardId }
                      : { customerId: '', cardId: '' },
                },
              },
              {
                guard: ({ event }) => event.output.result === 'mismatch',
                target: 'routing',
                actions: [
                  {
                    type: 'say',
                    params: ({ event }) => ({
                      key: 'identity.failed',
                      params: { attemptsLeft: event.output.result === 'mismatch' ? event.output.attemptsLeft : 0 },
                    }),
                  },
                  'forgetDetails',
                ],
              },
              {
                guard: ({ event }) => event.output.result === 'locked',
                target: '#rebind.idle',
                actions: [
                  {
                    type: 'say',
                    params: ({ event }) => ({
                      key: 'identity.locked',
                      params: { minutes: event.output.result === 'locked' ? event.output.minutesLeft : 0 },
                      outcome: 'locked',
                      buttons: ['agent'],
                    }),
                  },
                  { type: 'offerAgent', params: { reason: 'identityLocked' } },
                ],
              },
              {
                guard: ({ event }) => event.output.result === 'limited',
                target: '#rebind.idle',
                actions: [
                  {
                    type: 'say',
                    params: ({ event }) => {
                      const seconds = event.output.result === 'limited' ? event.output.retryAfterSeconds : 0;
                      return {
                        key: 'limit.identity',
                        params: { minutes: minutesFrom(seconds) },
                        outcome: 'locked',
                        buttons: ['agent'],
                        data: { reason: 'rateLimited', retryAfterSeconds: String(seconds) },
                      };
                    },
                  },
                  { type: 'offerAgent', params: { reason: 'identityLocked' } },
                ],
              },
              {
                target: '#rebind.idle',
                actions: [
                  {
                    type: 'say',
                    params: ({ event }) => ({
                      key: 'account.abnormal',
                      outcome: 'rejected',
                      buttons: ['agent'],
                      data: { reason: event.output.result === 'abnormal' ? event.output.standing : 'abnormal' },
                    }),
                  },
                  { type: 'offerAgent', params: { reason: 'accountAbnormal' } },
                ],
              },
            ],
            onError: { target: '#rebind.idle', actions: 'sayServiceError' },
          },
        },
        askingReachable: {
          entry: { type: 'ask', params: { expecting: 'oldPhoneReachable' } },
          on: {
            SAID: [
              { guard: 'affirmed', target: 'routing', actions: ['informed', assign({ reachable: true })] },
              {
                guard: 'denied',
                target: '#rebind.idle',
                actions: ['informed', 'sayUnreachable'],
              },
            ],
          },
        },
        // The code steps serve both numbers: the current one until it is verified, then the new one.
        sendingCode: {
          tags: busy,
          invoke: {
            src: 'sendCode',
            input: ({ context }): SendCodeInput => ({ ...codeBinding(context), locale: context.locale }),
            onDone: [
              whenCodesLocked,
              {
                target: 'awaitingCode',
                actions: { type: 'saySendResult', params: ({ event }) => ({ output: event.output }) },
              },
            ],
            onError: {
              target: 'awaitingCode',
              actions: { type: 'saySendResult', params: { output: { result: 'smsFailed' } } },
            },
          },
        },
        awaitingCode: {
          on: {
            SAID: [
              { guard: 'wantsResend', target: 'sendingCode', actions: 'informed' },
              // "Can't receive it" at the current number's code: the lost-number path, as at the question.
              {
                guard: ({ context, event }) => intentOf(event) === 'cantReceive' && codeTarget(context) === 'old',
                target: '#rebind.idle',
                actions: ['informed', 'sayUnreachable'],
              },
              // At the new number's code it is the codes-not-arriving question: answered, then asked again.
              {
                guard: { type: 'intentIs', params: { intent: 'cantReceive' } },
                actions: [
                  { type: 'acted', params: { intent: 'faq', faqId: 'otpNotReceived' } },
                  { type: 'answer', params: { faqId: 'otpNotReceived' } },
                  'askAgain',
                ],
              },
              { guard: 'codeGiven', target: 'verifyingCode', actions: 'informed' },
            ],
          },
        },
        verifyingCode: {
          tags: busy,
          invoke: {
            src: 'verifyCode',
            input: ({ context, event }) => verifyInput(context, event),
            onDone: [
              {
                guard: ({ context, event }) => event.output.result === 'ok' && codeTarget(context) === 'old',
                target: 'routing',
                actions: ['passOldCode', { type: 'say', params: { key: 'otp.oldVerified' } }],
              },
              {
                guard: ({ event }) => event.output.result === 'ok',
                target: 'routing',
                actions: {
                  type: 'passNewCode',
                  params: ({ event }) => ({ codeId: event.output.result === 'ok' ? event.output.codeId : '' }),
                },
              },
              whenCodesLocked,
              {
                target: 'awaitingCode',
                actions: { type: 'sayVerifyResult', params: ({ event }) => ({ output: event.output }) },
              },
            ],
            onError: { target: 'awaitingCode', actions: 'sayTemporaryError' },
          },
        },
        collectingNewPhone: { entry: { type: 'ask', params: { expecting: 'newPhone' } } },
        checkingNewPhone: {
          tags: busy,
          invoke: {
            src: 'checkNewPhone',
            input: ({ context }) => ({ customerId: context.customerId ?? '', phone: context.newPhone ?? '' }),
            onDone: [
              {
                guard: ({ event }) => event.output.result === 'ok',
                target: 'routing',
                actions: assign({ newPhoneFree: true }),
              },
              {
                target: '#rebind.idle',
                actions: [
                  { type: 'say', params: { key: 'newPhone.rejected', outcome: 'rejected', buttons: ['agent'] } },
                  { type: 'offerAgent', params: { reason: 'numberTaken' } },
                ],
              },
            ],
            onError: { target: '#rebind.idle', actions: 'sayServiceError' },
          },
        },
        confirming: {
          entry: { type: 'ask', params: { expecting: 'confirm' } },
          on: {
            SAID: [
              { guard: 'affirmed', target: 'committing', actions: 'informed' },
              {
                guard: 'denied',
                target: '#rebind.idle',
                actions: [
                  { type: 'acted', params: { intent: 'cancel' } },
                  { type: 'say', params: { key: 'cancel.done', outcome: 'cancelled', buttons: menuButtons() } },
                ],
              },
            ],
          },
        },
        committing: {
          tags: busy,
          invoke: {
            src: 'changeBinding',
            input: ({ context }): ChangeBindingInput => ({
              conversationId: context.conversationId,
              cardId: context.cardId ?? '',
              card: context.card ?? '',
              oldPhone: context.oldPhone ?? '',
              newPhone: context.newPhone ?? '',
              // One verified code for the new number authorises exactly one change.
              idempotencyKey: `${context.conversationId}:${context.newCodeId ?? ''}`,
              locale: context.locale,
            }),
            onDone: [
              {
                guard: ({ event }) => event.output.result === 'changed',
                target: '#rebind.idle',
                actions: {
                  type: 'say',
                  params: ({ context }) => {
                    const s = summarize(context);
                    return {
                      key: 'change.done',
                      params: { card: s.card ?? '', oldPhone: s.oldPhone ?? '', newPhone: s.newPhone ?? '' },
                      outcome: 'phoneChanged',
                      buttons: menuButtons(),
                    };
                  },
                },
              },
              {
                target: '#rebind.idle',
                actions: [
                  { type: 'say', params: { key: 'change.conflict', outcome: 'rejected', buttons: ['agent'] } },
                  { type: 'offerAgent', params: { reason: 'serviceError' } },
                ],
              },
            ],
            // Changed or not (a timeout may hide a commit), confirming again is safe: the change is
            // keyed by the verified code, so the bank returns the same change and nothing happens twice.
            onError: { target: 'confirming', actions: { type: 'say', params: { key: 'error.changeFailed' } } },
          },
        },
      },
    },

    // ---- People: the queue, an agent, a call back, or the channel's own agent hub ----------------
    handingOff: {
      tags: busy,
      invoke: {
        src: 'requestAgent',
        input: ({ context }): RequestAgentInput => ({
          conversationId: context.conversationId,
          reason: context.offeredHandoff ?? 'customerRequest',
          locale: context.locale,
          context: handoffSummary(context),
        }),
        onDone: [
          {
            guard: ({ event }) => event.output.result === 'queued',
            target: 'waitingForAgent',
            actions: enqueueActions(({ context, event, enqueue }) => {
              if (event.output.result !== 'queued') return;
              const { ticket, position, waitMinutes, requestedAt } = event.output;
              const handoff: HandoffRecord = {
                ticket,
                reason: context.offeredHandoff ?? 'customerRequest',
                status: 'waiting',
                requestedAt,
                position,
                waitMinutes,
              };
              enqueue('endFlow');
              enqueue({ type: 'holdHandoff', params: { handoff } });
              enqueue({ type: 'say', params: waitingReply('handoff.queued', handoff, { outcome: 'handedOff' }) });
            }),
          },
          {
            guard: ({ event }) => event.output.result === 'withAgent',
            target: 'withAgent',
            actions: enqueueActions(({ context, event, enqueue }) => {
              if (event.output.result !== 'withAgent') return;
              const { ticket, agentName, requestedAt } = event.output;
              const reason = context.offeredHandoff ?? 'customerRequest';
              enqueue('endFlow');
              enqueue({
                type: 'holdHandoff',
                params: { handoff: { ticket, reason, status: 'withAgent', requestedAt, agentName } },
              });
              enqueue({ type: 'say', params: { ...connectedReply(ticket, agentName), outcome: 'handedOff' } });
            }),
          },
          {
            guard: ({ event }) => event.output.result === 'channel',
            target: 'withChannel',
            actions: enqueueActions(({ context, event, enqueue }) => {
              if (event.output.result !== 'channel') return;
              const { ticket, requestedAt } = event.output;
              const reason = context.offeredHandoff ?? 'customerRequest';
              const summary = handoffSummary(context);
              enqueue('endFlow');
              enqueue({ type: 'holdHandoff', params: { handoff: { ticket, reason, status: 'channel', requestedAt } } });
              enqueue.emit({ type: 'handoffInitiated', ticket, reason, context: summary });
              enqueue({
                type: 'say',
                params: {
                  key: 'handoff.transferring',
                  params: { ticket },
                  outcome: 'handedOff',
                  handoff: { status: 'channel', ticket },
                },
              });
            }),
          },
          // Outside agent hours: the bank calls back instead (the reason is kept for the request).
          {
            target: 'offeringCallback',
            actions: enqueueActions(({ event, enqueue }) => {
              const opensAt = event.output.result === 'closed' ? event.output.opensAt : undefined;
              enqueue('endFlow');
              enqueue({
                type: 'say',
                params: opensAt ? { key: 'handoff.afterHours', params: { opensAt } } : { key: 'handoff.afterHoursNoOpening' },
              });
            }),
          },
        ],
        onError: {
          target: 'idle',
          actions: [
            { type: 'say', params: { key: 'handoff.unavailable', buttons: menuButtons() } },
            assign({ offeredHandoff: undefined }),
          ],
        },
      },
    },

    waitingForAgent: {
      on: {
        // Anything the customer writes while waiting is kept for the agent, and they hear their place.
        SAID: { target: 'relayingWhileWaiting', actions: 'informed' },
        CANCEL_REQUESTED: { target: 'leavingQueue', actions: { type: 'acted', params: { intent: 'cancel' } } },
        RESTART_REQUESTED: { target: 'leavingQueue', actions: { type: 'acted', params: { intent: 'cancel' } } },
        AGENT_REQUESTED: {
          actions: [
            { type: 'acted', params: { intent: 'handoff' } },
            { type: 'say', params: ({ context }) => waitingReply('handoff.stillWaiting', context.handoff as HandoffRecord) },
          ],
        },
        QUEUE_MOVED: {
          guard: 'aboutTicket',
          actions: enqueueActions(({ context, event, enqueue }) => {
            if (event.type !== 'QUEUE_MOVED' || !context.handoff) return;
            const handoff = { ...context.handoff, position: event.position, waitMinutes: event.waitMinutes };
            enqueue.assign({ handoff });
            // Only good news is worth a message: a better place in the queue.
            if (event.position < (context.handoff.position ?? Infinity)) {
              enqueue({ type: 'say', params: waitingReply('handoff.position', handoff) });
            }
          }),
        },
        AGENT_JOINED: {
          guard: 'aboutTicket',
          target: 'withAgent',
          actions: {
            type: 'connectAgent',
            params: ({ event }) => ({ agentName: event.type === 'AGENT_JOINED' ? event.agentName : '' }),
          },
        },
        AGENT_LEFT: { guard: 'aboutTicket', target: 'rating', actions: ['sayAgentLeft', 'releaseHandoff'] },
      },
    },
    relayingWhileWaiting: {
      tags: busy,
      invoke: {
        src: 'relayToAgent',
        input: ({ context, event }) => ({ ticket: context.handoff?.ticket ?? '', text: said(event) }),
        onDone: [
          {
            guard: ({ event }) => event.output.status === 'waiting',
            target: 'waitingForAgent',
            actions: enqueueActions(({ context, event, enqueue }) => {
              if (event.output.status !== 'waiting' || !context.handoff) return;
              const handoff = { ...context.handoff, position: event.output.position, waitMinutes: event.output.waitMinutes };
              enqueue.assign({ handoff });
              enqueue({ type: 'say', params: waitingReply('handoff.stillWaiting', handoff) });
            }),
          },
          {
            guard: ({ event }) => event.output.status === 'withAgent',
            target: 'withAgent',
            actions: {
              type: 'connectAgent',
              params: ({ event }) => ({ agentName: event.output.status === 'withAgent' ? event.output.agentName : '' }),
            },
          },
          { target: 'idle', actions: ['sayNotDelivered', assign({ handoff: undefined })] },
        ],
        onError: { target: 'waitingForAgent', actions: { type: 'say', params: { key: 'handoff.relayFailed' } } },
      },
    },
    leavingQueue: {
      tags: busy,
      invoke: {
        src: 'leaveQueue',
        input: ({ context }) => ({ ticket: context.handoff?.ticket ?? '', conversationId: context.conversationId }),
        onDone: [
          {
            // An agent took the ticket a moment before the customer gave up waiting.
            guard: ({ event }) => event.output.result === 'withAgent',
            target: 'withAgent',
            actions: {
              type: 'connectAgent',
              params: ({ event }) => ({ agentName: event.output.result === 'withAgent' ? event.output.agentName : '' }),
            },
          },
          {
            target: 'idle',
            actions: [
              {
                type: 'say',
                params: ({ context }) => ({
                  key: 'handoff.left',
                  buttons: menuButtons(),
                  handoff: { status: 'left', ...(context.handoff ? { ticket: context.handoff.ticket } : {}) },
                }),
              },
              assign({ handoff: undefined }),
            ],
          },
        ],
        onError: { target: 'waitingForAgent', actions: { type: 'say', params: { key: 'handoff.relayFailed' } } },
      },
    },

    withAgent: {
      on: {
        // Everything the customer writes goes to the agent; the agent answers.
        SAID: { target: 'relayingToAgent', actions: { type: 'acted', params: { intent: 'handoff' } } },
        AGENT_SAID: {
          guard: 'aboutTicket',
          actions: {
            type: 'say',
            params: ({ event }) => {
              const e = event as Extract<ChartEvent, { type: 'AGENT_SAID' }>;
              return {
                key: 'handoff.agentMessage',
                params: { agent: e.agentName, text: e.text },
                handoff: { status: 'withAgent', ticket: e.ticket, from: 'agent', agentName: e.agentName },
              };
            },
          },
        },
        AGENT_LEFT: { guard: 'aboutTicket', target: 'rating', actions: ['sayAgentLeft', 'releaseHandoff'] },
      },
    },
    relayingToAgent: {
      tags: busy,
      invoke: {
        src: 'relayToAgent',
        input: ({ context, event }) => ({ ticket: context.handoff?.ticket ?? '', text: said(event) }),
        onDone: [
          { guard: ({ event }) => event.output.status !== 'ended', target: 'withAgent' },
          { target: 'idle', actions: ['sayNotDelivered', assign({ handoff: undefined })] },
        ],
        onError: { target: 'withAgent', actions: { type: 'say', params: { key: 'handoff.relayFailed' } } },
      },
    },

    /** HANDOFF_MODE=protocol: the channel's agent hub has the conversation; the bot stays quiet. */
    withChannel: {
      on: {
        SAID: {},
        HANDOFF_STATUS: [
          {
            guard: ({ event }) => event.type === 'HANDOFF_STATUS' && event.state === 'failed',
            target: 'idle',
            actions: [
              {
                type: 'say',
                params: ({ context }) => ({
                  key: 'handoff.failed',
                  buttons: menuButtons(),
                  handoff: { status: 'ended', ...(context.handoff ? { ticket: context.handoff.ticket } : {}) },
                }),
              },
              assign({ handoff: undefined }),
            ],
          },
          {
            guard: ({ event }) => event.type === 'HANDOFF_STATUS' && event.state === 'completed',
            target: 'rating',
            actions: [
              {
                type: 'say',
                params: ({ context }) => ({
                  key: 'handoff.ended.channel',
                  handoff: { status: 'ended', ...(context.handoff ? { ticket: context.handoff.ticket } : {}) },
                }),
              },
              'releaseHandoff',
            ],
          },
          // accepted: a person has it now; they speak for the bank.
          { actions: assign(({ context }) => (context.handoff ? { handoff: { ...context.handoff, status: 'channel' as const } } : {})) },
        ],
      },
    },

    /** After a person helped: a rating, which the customer may skip by simply going on. */
    rating: {
      entry: { type: 'ask', params: { expecting: 'rating' } },
      on: {
        SAID: [
          {
            guard: 'ratingGiven',
            target: 'idle',
            actions: [
              'informed',
              {
                type: 'recordRating',
                params: ({ context, event }) => ({
                  ticket: context.ratingFor ?? '',
                  stars: parseRating(said(event)) ?? 0,
                  conversationId: context.conversationId,
                }),
              },
              { type: 'say', params: { key: 'rating.thanks', buttons: menuButtons() } },
              assign({ ratingFor: undefined }),
            ],
          },
          {
            guard: 'denied',
            target: 'idle',
            actions: [
              'informed',
              { type: 'say', params: { key: 'rating.skipped', buttons: menuButtons() } },
              assign({ ratingFor: undefined }),
            ],
          },
          // Anything else: no rating, and the bot handles the message as it would have.
          { target: 'idle', actions: [assign({ ratingFor: undefined }), raise(({ event }) => event)] },
        ],
        CANCEL_REQUESTED: {
          target: 'idle',
          actions: [
            { type: 'acted', params: { intent: 'cancel' } },
            { type: 'say', params: { key: 'rating.skipped', buttons: menuButtons() } },
            assign({ ratingFor: undefined }),
          ],
        },
        RESTART_REQUESTED: { target: 'changing', actions: [{ type: 'acted', params: { intent: 'changePhone' } }, assign({ ratingFor: undefined })] },
      },
    },

    /** Outside agent hours: a call back at a time the customer names. */
    offeringCallback: {
      entry: { type: 'ask', params: { expecting: 'callbackTime' } },
      on: {
        SAID: [
          { guard: 'denied', target: 'idle', actions: ['informed', 'sayCallbackDeclined'] },
          { guard: 'callbackTimeGiven', target: 'recordingCallback', actions: 'informed' },
          { actions: ['informed', 'refuse'] },
        ],
        CANCEL_REQUESTED: { target: 'idle', actions: [{ type: 'acted', params: { intent: 'cancel' } }, 'sayCallbackDeclined'] },
        AGENT_REQUESTED: { actions: [{ type: 'acted', params: { intent: 'handoff' } }, 'askAgain'] },
      },
    },
    recordingCallback: {
      tags: busy,
      invoke: {
        src: 'requestCallback',
        input: ({ context, event }): CallbackInput => {
          const time = validateCallbackTime(said(event));
          return {
            conversationId: context.conversationId,
            reason: context.offeredHandoff ?? 'customerRequest',
            locale: context.locale,
            context: context.summary ?? summarize(context),
            preferredTime: time.ok ? time.text : '',
          };
        },
        onDone: {
          target: 'idle',
          actions: [
            {
              type: 'say',
              params: ({ event }) => ({
                key: 'callback.recorded',
                params: { time: event.output.preferredTime },
                outcome: 'handedOff',
                buttons: menuButtons(),
                handoff: { status: 'callback' },
              }),
            },
            assign({ offeredHandoff: undefined }),
          ],
        },
        onError: {
          target: 'idle',
          actions: [
            { type: 'say', params: { key: 'handoff.unavailable', buttons: menuButtons() } },
            assign({ offeredHandoff: undefined }),
          ],
        },
      },
    },
  },
});

export type ChangePhoneMachine = typeof changePhoneMachine;
