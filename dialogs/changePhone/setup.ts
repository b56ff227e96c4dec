import { assign, emit, enqueueActions, raise, sendTo, setup } from 'xstate';
import { oldNumberGone } from '../../domain/details';
import { maskPhone } from '../../domain/mask';
import { looksLikeSecret, parseRating, validateCallbackTime, validateOtp } from '../../domain/validation';
import { absorbDetails, detailsIn } from './details';
import { answered, intentOf, outputOf, said } from './events';
import { busy, EFFECTS_ACTOR, effectsActor, type EffectRun } from './effects';
import {
  codeButtons,
  codePhone,
  codeTarget,
  connectedReply,
  handoffSummary,
  lockedReply,
  menuButtons,
  minutesFrom,
  question,
  refusalReason,
  sendReply,
  summarize,
  verifyReply,
  waitingReply,
} from './replies';
import type {
  ActedIntent,
  CallbackOutput,
  ChangeBindingOutput,
  ChartContext,
  ChartEmitted,
  ChartEvent,
  ChartInput,
  CheckNewPhoneOutput,
  EffectRequest,
  HandoffRecord,
  IdentityOutput,
  LeaveQueueOutput,
  RelayOutput,
  Reply,
  RequestAgentOutput,
  SendCodeOutput,
  VerifyCodeOutput,
} from '../types';
import type { Expecting } from '../../domain/expecting';
import type { HandoffReason } from '../../domain/handoffReason';
import type { Intent } from '../../domain/intent';

/*
 * Everything the change-number chart names: its types, its `effects` actor (which runs the effects
 * named in `ChartEffects`, effects.ts), its guards and its actions. The states (one file per region)
 * refer to them by name; the root provides the real effects (`machine.provide(...)` in
 * server/chartEffects.ts) and tests provide fakes.
 */

/** After this many failed answers to one question, a person is offered. */
export const MISSES_BEFORE_AGENT = 3;
/** After this many messages in a row the bot cannot place, a person is offered. */
export const FALLBACKS_BEFORE_AGENT = 2;

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

/** The output of a code effect that says the card is locked, if that is what `event` carries. */
function lockedOutput(event: ChartEvent): { minutesLeft: number } | undefined {
  const output = outputOf<SendCodeOutput | VerifyCodeOutput>(event);
  return output?.result === 'locked' ? output : undefined;
}

/** An event from the agent side about this conversation's current ticket (stale ones are ignored). */
function aboutTicket(context: ChartContext, event: ChartEvent): boolean {
  return 'ticket' in event && context.handoff !== undefined && event.ticket === context.handoff.ticket;
}

/** Who took the conversation: the agent side's event, or the answer of a relay or of leaving the queue. */
function agentNameIn(event: ChartEvent): string {
  if (event.type === 'AGENT_JOINED') return event.agentName;
  return outputOf<{ agentName?: string }>(event)?.agentName ?? '';
}

/** Where the customer stands with people once a handoff ended (the ticket, if there was one). */
const endedWith = (context: ChartContext, status: 'ended' | 'left') => ({
  status,
  ...(context.handoff ? { ticket: context.handoff.ticket } : {}),
});

export const changePhoneSetup = setup({
  types: {
    context: {} as ChartContext,
    events: {} as ChartEvent,
    input: {} as ChartInput,
    emitted: {} as ChartEmitted,
    tags: {} as typeof busy,
  },
  actors: {
    /** Runs the effects the states ask for (effects.ts); none is provided here: the root and tests provide them. */
    effects: effectsActor({}),
  },
  guards: {
    // ---- What the customer said ----------------------------------------------------------------
    intentIs: ({ event }, params: { intent: Intent }) => intentOf(event) === params.intent,
    looksLikeSecret: ({ event }) => looksLikeSecret(said(event)),
    /** The sentence brings a detail the flow does not hold yet, or a different one (a correction). */
    bringsDetails: ({ context, event }) => absorbDetails(context, detailsIn(context, event)) !== undefined,
    /** A code, and not a PIN or CVV typed by mistake ("密码 123456"). */
    codeGiven: ({ event }) => validateOtp(said(event)).ok && !looksLikeSecret(said(event)),
    wantsResend: ({ event }) => intentOf(event) === 'resend',
    /** "I can't receive it" at the current number's code: the number is out of reach. */
    cantReceiveAtOldNumber: ({ context, event }) => intentOf(event) === 'cantReceive' && codeTarget(context) === 'old',
    affirmed: ({ event }) => intentOf(event) === 'affirm',
    denied: ({ event }) => intentOf(event) === 'deny',
    ratingGiven: ({ event }) => parseRating(said(event)) !== undefined,
    callbackTimeGiven: ({ event }) => validateCallbackTime(said(event)).ok,
    fallbackLimitReached: ({ context }) => context.fallbacks + 1 >= FALLBACKS_BEFORE_AGENT,

    // ---- What the flow still needs (routing, in this order) ------------------------------------
    noCard: ({ context }) => !context.card,
    noIdNumber: ({ context }) => !context.idNumber,
    noOldPhone: ({ context }) => !context.oldPhone,
    identityUnchecked: ({ context }) => !context.passed.identity,
    /** The customer said the current number may be gone, and has not said it still receives SMS. */
    oldPhoneInDoubt: ({ context }) => context.oldPhoneDoubt === true && !context.reachable,
    /** A live code for the current number is out: it is awaited, never sent again. */
    oldCodeLive: ({ context }) => !context.passed.oldCode && context.codes.sentOld === context.codes.old,
    oldCodeUnverified: ({ context }) => !context.passed.oldCode,
    noNewPhone: ({ context }) => !context.newPhone,
    newPhoneUnchecked: ({ context }) => !context.newPhoneFree,
    /** A live code for the new number is out: it is awaited, never sent again. */
    newCodeLive: ({ context }) => !context.passed.newCode && context.codes.sentNew === context.codes.new,
    newCodeUnverified: ({ context }) => !context.passed.newCode,

    // ---- What the bank said about the identity (verifyIdentity) --------------------------------
    identityMatched: ({ event }) => answered<IdentityOutput>(event, 'ok'),
    identityMismatched: ({ event }) => answered<IdentityOutput>(event, 'mismatch'),
    identityLocked: ({ event }) => answered<IdentityOutput>(event, 'locked'),
    /** Too many checks from this conversation, user, address or for this card. */
    identityLimited: ({ event }) => answered<IdentityOutput>(event, 'limited'),
    /** The customer or the card is frozen, or the card reported lost. */
    accountAbnormal: ({ event }) => answered<IdentityOutput>(event, 'abnormal'),

    // ---- What the code service said (sendCode, verifyCode) --------------------------------------
    /** A code step came back locked: too many wrong codes for this card. */
    codesLocked: ({ event }) => lockedOutput(event) !== undefined,
    oldNumberVerified: ({ context, event }) => answered<VerifyCodeOutput>(event, 'ok') && codeTarget(context) === 'old',
    newNumberVerified: ({ context, event }) => answered<VerifyCodeOutput>(event, 'ok') && codeTarget(context) === 'new',
    codeWrong: ({ event }) => answered<VerifyCodeOutput>(event, 'wrong'),
    codeExpired: ({ event }) => answered<VerifyCodeOutput>(event, 'expired'),
    /** No live code for this binding: never sent, or voided by a changed detail. */
    codeVoid: ({ event }) => answered<VerifyCodeOutput>(event, 'noCode'),

    // ---- What the bank said about the new number and the change --------------------------------
    newPhoneFree: ({ event }) => answered<CheckNewPhoneOutput>(event, 'ok'),
    newPhoneTaken: ({ event }) => answered<CheckNewPhoneOutput>(event, 'taken'),
    bindingChanged: ({ event }) => answered<ChangeBindingOutput>(event, 'changed'),
    bindingConflict: ({ event }) => answered<ChangeBindingOutput>(event, 'conflict'),

    // ---- People ----------------------------------------------------------------------------------
    queued: ({ event }) => answered<RequestAgentOutput>(event, 'queued'),
    /** A person has the conversation (already, or took the ticket meanwhile). */
    withAgentNow: ({ event }) => answered<RequestAgentOutput | RelayOutput | LeaveQueueOutput>(event, 'withAgent'),
    /** HANDOFF_MODE=protocol: the channel's own agent hub takes the conversation. */
    toChannel: ({ event }) => answered<RequestAgentOutput>(event, 'channel'),
    agentsClosed: ({ event }) => answered<RequestAgentOutput>(event, 'closed'),
    stillWaiting: ({ event }) => answered<RelayOutput>(event, 'waiting'),
    /** The ticket is still open: the message reached the queue or the person. */
    ticketOpen: ({ event }) => answered<RelayOutput>(event, 'waiting', 'withAgent'),
    /** The ticket ended meanwhile: the message reached nobody. */
    ticketEnded: ({ event }) => answered<RelayOutput>(event, 'ended'),
    leftQueue: ({ event }) => answered<LeaveQueueOutput>(event, 'left', 'ended'),
    aboutTicket: ({ context, event }) => aboutTicket(context, event),
    hubFailed: ({ event }) => event.type === 'HANDOFF_STATUS' && event.state === 'failed',
    hubCompleted: ({ event }) => event.type === 'HANDOFF_STATUS' && event.state === 'completed',
    hubAccepted: ({ event }) => event.type === 'HANDOFF_STATUS' && event.state === 'accepted',
  },
  actions: {
    // ---- Saying, and what was acted on ----------------------------------------------------------
    say: emit((_, reply: Reply) => ({ type: 'reply' as const, reply })),
    acted: emit((_, params: { intent: ActedIntent; faqId?: string }) => ({ type: 'acted' as const, ...params })),
    informed: emit({ type: 'acted' as const, intent: 'inform' as const }),
    /** Asks the `effects` actor for an effect; its answer comes back as EFFECT_DONE or EFFECT_FAILED. */
    runEffect: sendTo(EFFECTS_ACTOR, (_, request: EffectRequest): EffectRun => ({ type: 'run', ...request })),
    setLocale: assign(({ event }) => (event.type === 'LOCALE_SET' ? { locale: event.locale } : {})),
    /** Records the customer's rating of the person who helped. An effect: provided at the root. */
    recordRating: (_, _params: { ticket: string; stars: number; conversationId: string }) => {
      throw new Error("effect 'recordRating' was not provided to the chart");
    },
    /** Records whether a knowledge-base answer helped. An effect: provided at the root. */
    recordFeedback: (_, _params: { faqId: string; helpful: boolean; conversationId: string }) => {
      throw new Error("effect 'recordFeedback' was not provided to the chart");
    },

    // ---- Questions and answers --------------------------------------------------------------------
    /** Asks a question: sets what the bot now expects and starts counting misses afresh. */
    ask: enqueueActions(({ context, enqueue }, params: { expecting: Expecting }) => {
      enqueue.assign({ expecting: params.expecting, misses: 0 });
      enqueue.emit({ type: 'reply', reply: question(params.expecting, { ...context, expecting: params.expecting }) });
    }),
    /** Says the current question again (after help, a warning or a digression); nothing outside a flow. */
    askAgain: enqueueActions(({ context, enqueue }) => {
      if (context.expecting) enqueue.emit({ type: 'reply', reply: question(context.expecting, context) });
    }),
    /** The help for the question on screen (or the general help, outside a question). */
    sayHelp: emit(({ context }) => ({
      type: 'reply' as const,
      reply: { key: `help.${context.expecting ?? 'idle'}`, data: { faqId: 'help' } },
    })),
    /** Takes the details of the customer's sentence into the flow, saying what was noted or corrected. */
    takeDetails: enqueueActions(({ context, event, enqueue }) => {
      const absorbed = absorbDetails(context, detailsIn(context, event));
      if (!absorbed) return;
      enqueue.assign(absorbed.patch);
      if (absorbed.reply) enqueue.emit({ type: 'reply', reply: absorbed.reply });
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
    noteFallback: assign(({ context }) => ({ fallbacks: context.fallbacks + 1 })),
    resetFallbacks: assign({ fallbacks: 0 }),

    // ---- The knowledge base ----------------------------------------------------------------------
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
    /**
     * Could be one of a few topics: offers them (the chosen one comes back as ASKED). In the middle of
     * the flow the pending question stays on screen: asked again under the topics, in the same
     * message, so the topic buttons and the question's own buttons show together.
     */
    offerTopics: emit(({ context, event }) => {
      const which: Reply = { key: 'faq.which', topics: event.type === 'ASKED_UNCLEARLY' ? event.faqIds : [], data: { faqId: 'which' } };
      if (!context.expecting) return { type: 'reply' as const, reply: which };
      const pending = question(context.expecting, context);
      return {
        type: 'reply' as const,
        reply: {
          ...which,
          lines: [{ key: pending.key, ...(pending.params ? { params: pending.params } : {}) }],
          expecting: pending.expecting,
          ...(pending.otpTarget ? { otpTarget: pending.otpTarget } : {}),
          ...(pending.buttons ? { buttons: pending.buttons } : {}),
        },
      };
    }),

    // ---- The flow's details ------------------------------------------------------------------------
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
    /** The sentence that started the flow says the current number may be gone: ask before sending to it. */
    noteOldPhoneDoubt: assign(({ event }) => (oldNumberGone(said(event)) ? { oldPhoneDoubt: true } : {})),
    noteReachable: assign({ reachable: true }),

    // ---- Identity ----------------------------------------------------------------------------------
    /** Identity passed: keep the bank's references; the full ID number is no longer needed. */
    storeIdentity: assign(({ context, event }) => {
      const output = outputOf<IdentityOutput>(event);
      return {
        customerId: output?.result === 'ok' ? output.customerId : '',
        cardId: output?.result === 'ok' ? output.cardId : '',
        idNumber: context.idNumber ? summarize(context).idNumber : undefined,
        passed: { ...context.passed, identity: true },
      };
    }),
    /** Identity failed: nothing the customer typed is kept; they start the details again. */
    forgetDetails: assign(({ context }) => ({ ...emptyDetails, codes: nextCodes(context.codes) })),
    sayIdentityFailed: emit(({ event }) => {
      const output = outputOf<IdentityOutput>(event);
      return {
        type: 'reply' as const,
        reply: { key: 'identity.failed', params: { attemptsLeft: output?.result === 'mismatch' ? output.attemptsLeft : 0 } },
      };
    }),
    sayIdentityLocked: emit(({ event }) => {
      const output = outputOf<IdentityOutput>(event);
      return {
        type: 'reply' as const,
        reply: {
          key: 'identity.locked',
          params: { minutes: output?.result === 'locked' ? output.minutesLeft : 0 },
          outcome: 'locked' as const,
          buttons: ['agent' as const],
        },
      };
    }),
    sayIdentityLimited: emit(({ event }) => {
      const output = outputOf<IdentityOutput>(event);
      const seconds = output?.result === 'limited' ? output.retryAfterSeconds : 0;
      return {
        type: 'reply' as const,
        reply: {
          key: 'limit.identity',
          params: { minutes: minutesFrom(seconds) },
          outcome: 'locked' as const,
          buttons: ['agent' as const],
          data: { reason: 'rateLimited', retryAfterSeconds: String(seconds) },
        },
      };
    }),
    sayAccountAbnormal: emit(({ event }) => {
      const output = outputOf<IdentityOutput>(event);
      return {
        type: 'reply' as const,
        reply: {
          key: 'account.abnormal',
          outcome: 'rejected' as const,
          buttons: ['agent' as const],
          data: { reason: output?.result === 'abnormal' ? output.standing : 'abnormal' },
        },
      };
    }),
    sayServiceError: enqueueActions(({ enqueue }) => {
      enqueue.emit({ type: 'reply', reply: { key: 'error.bankUnavailable', buttons: menuButtons() } });
      enqueue.assign({ offeredHandoff: 'serviceError' });
    }),

    // ---- Codes -----------------------------------------------------------------------------------
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
    /** The current number cannot receive codes: the flow stops here and a person is offered. */
    sayUnreachable: enqueueActions(({ enqueue }) => {
      enqueue.emit({ type: 'reply', reply: { key: 'oldPhone.unreachable', outcome: 'rejected', buttons: ['agent'] } });
      enqueue.assign({ offeredHandoff: 'oldPhoneUnreachable' });
    }),
    passOldCode: assign(({ context }) => ({ passed: { ...context.passed, oldCode: true } })),
    /** The new number's verified code: the change's idempotency key is made from it. */
    passNewCode: assign(({ context, event }) => {
      const output = outputOf<VerifyCodeOutput>(event);
      return { newCodeId: output?.result === 'ok' ? output.codeId : '', passed: { ...context.passed, newCode: true } };
    }),

    // ---- The new number and the change -------------------------------------------------------------
    noteNewPhoneFree: assign({ newPhoneFree: true }),
    sayChanged: emit(({ context }) => {
      const s = summarize(context);
      return {
        type: 'reply' as const,
        reply: {
          key: 'change.done',
          params: { card: s.card ?? '', oldPhone: s.oldPhone ?? '', newPhone: s.newPhone ?? '' },
          outcome: 'phoneChanged' as const,
          buttons: menuButtons(),
        },
      };
    }),

    // ---- People ------------------------------------------------------------------------------------
    offerAgent: assign((_, params: { reason: HandoffReason }) => ({ offeredHandoff: params.reason })),
    /** The offer of a person is off (taken, refused, or impossible). */
    dropOffer: assign({ offeredHandoff: undefined }),
    /** People have the conversation (queued, a person, or the channel's hub): the ticket is kept, the offer is taken. */
    holdTicket: assign(({ context, event }) => {
      const output = outputOf<RequestAgentOutput>(event);
      const reason = context.offeredHandoff ?? 'customerRequest';
      const handoff: HandoffRecord | undefined =
        output?.result === 'queued'
          ? {
              ticket: output.ticket,
              reason,
              status: 'waiting',
              requestedAt: output.requestedAt,
              position: output.position,
              waitMinutes: output.waitMinutes,
            }
          : output?.result === 'withAgent'
            ? { ticket: output.ticket, reason, status: 'withAgent', requestedAt: output.requestedAt, agentName: output.agentName }
            : output?.result === 'channel'
              ? { ticket: output.ticket, reason, status: 'channel', requestedAt: output.requestedAt }
              : undefined;
      return handoff ? { handoff, offeredHandoff: undefined } : {};
    }),
    /** In the queue: the customer hears their place and the wait. */
    sayQueued: emit(({ context }) => ({
      type: 'reply' as const,
      reply: waitingReply('handoff.queued', context.handoff as HandoffRecord, { outcome: 'handedOff' }),
    })),
    /** The conversation already had a person: the customer is with them again. */
    sayReconnected: emit(({ context }) => ({
      type: 'reply' as const,
      reply: { ...connectedReply(context.handoff?.ticket ?? '', context.handoff?.agentName ?? ''), outcome: 'handedOff' as const },
    })),
    /** HANDOFF_MODE=protocol: the channel's hub is sent the conversation, with its masked context. */
    passToChannel: emit(({ context, event }) => {
      const output = outputOf<RequestAgentOutput>(event);
      return {
        type: 'handoffInitiated' as const,
        ticket: output?.result === 'channel' ? output.ticket : '',
        reason: context.offeredHandoff ?? 'customerRequest',
        context: handoffSummary(context),
      };
    }),
    sayTransferring: emit(({ context }) => {
      const ticket = context.handoff?.ticket ?? '';
      return {
        type: 'reply' as const,
        reply: { key: 'handoff.transferring', params: { ticket }, outcome: 'handedOff' as const, handoff: { status: 'channel' as const, ticket } },
      };
    }),
    /** Outside agent hours: when people are back, if known. */
    sayAfterHours: emit(({ event }) => {
      const output = outputOf<RequestAgentOutput>(event);
      const opensAt = output?.result === 'closed' ? output.opensAt : undefined;
      return {
        type: 'reply' as const,
        reply: opensAt ? { key: 'handoff.afterHours', params: { opensAt } } : { key: 'handoff.afterHoursNoOpening' },
      };
    }),
    sayStillWaiting: emit(({ context }) => ({
      type: 'reply' as const,
      reply: waitingReply('handoff.stillWaiting', context.handoff as HandoffRecord),
    })),
    /** The queue moved: the new place is kept; only a better one is worth a message. */
    noteQueueMove: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'QUEUE_MOVED' || !context.handoff) return;
      const handoff = { ...context.handoff, position: event.position, waitMinutes: event.waitMinutes };
      enqueue.assign({ handoff });
      if (event.position < (context.handoff.position ?? Infinity)) {
        enqueue.emit({ type: 'reply', reply: waitingReply('handoff.position', handoff) });
      }
    }),
    /** The message was kept for the agent: the customer hears their place now. */
    keepWaiting: enqueueActions(({ context, event, enqueue }) => {
      const output = outputOf<RelayOutput>(event);
      if (output?.status !== 'waiting' || !context.handoff) return;
      const handoff = { ...context.handoff, position: output.position, waitMinutes: output.waitMinutes };
      enqueue.assign({ handoff });
      enqueue.emit({ type: 'reply', reply: waitingReply('handoff.stillWaiting', handoff) });
    }),
    /** A person has the conversation now: keep who, and tell the customer. */
    connectAgent: enqueueActions(({ context, event, enqueue }) => {
      if (!context.handoff) return;
      const agentName = agentNameIn(event);
      enqueue.assign({ handoff: { ...context.handoff, status: 'withAgent', agentName } });
      enqueue.emit({ type: 'reply', reply: connectedReply(context.handoff.ticket, agentName) });
    }),
    sayAgentMessage: emit(({ event }) => {
      const e = event as Extract<ChartEvent, { type: 'AGENT_SAID' }>;
      return {
        type: 'reply' as const,
        reply: {
          key: 'handoff.agentMessage',
          params: { agent: e.agentName, text: e.text },
          handoff: { status: 'withAgent' as const, ticket: e.ticket, from: 'agent' as const, agentName: e.agentName },
        },
      };
    }),
    sayAgentLeft: emit(({ context, event }) => ({
      type: 'reply' as const,
      reply: {
        key: `handoff.ended.${event.type === 'AGENT_LEFT' ? event.how : 'closed'}`,
        params: { agent: context.handoff?.agentName ?? '' },
        handoff: { status: 'ended' as const, ...(context.handoff ? { ticket: context.handoff.ticket } : {}) },
      },
    })),
    /** A line for the person could not be passed on; the customer stays where they were. */
    sayRelayFailed: emit({ type: 'reply' as const, reply: { key: 'handoff.relayFailed' } }),
    sayNotDelivered: emit({
      type: 'reply' as const,
      reply: { key: 'handoff.notDelivered', buttons: menuButtons(), handoff: { status: 'ended' as const } },
    }),
    sayLeftQueue: emit(({ context }) => ({
      type: 'reply' as const,
      reply: { key: 'handoff.left', buttons: menuButtons(), handoff: endedWith(context, 'left') },
    })),
    sayHubFailed: emit(({ context }) => ({
      type: 'reply' as const,
      reply: { key: 'handoff.failed', buttons: menuButtons(), handoff: endedWith(context, 'ended') },
    })),
    sayHubEnded: emit(({ context }) => ({
      type: 'reply' as const,
      reply: { key: 'handoff.ended.channel', handoff: endedWith(context, 'ended') },
    })),
    /** The channel's hub accepted: a person has it now; they speak for the bank. */
    noteHubAccepted: assign(({ context }) => (context.handoff ? { handoff: { ...context.handoff, status: 'channel' as const } } : {})),
    /** The ticket is over without a rating (it reached nobody, or the customer left it). */
    dropHandoff: assign({ handoff: undefined }),
    /** People are done: the ticket is kept only to rate it. */
    releaseHandoff: assign(({ context }) => ({ handoff: undefined, ratingFor: context.handoff?.ticket })),

    // ---- After people: a rating; instead of people: a call back ----------------------------------
    forgetRating: assign({ ratingFor: undefined }),
    /** No rating: the message is handled as it would have been outside the rating question. */
    handleAsUsual: raise(({ event }) => event),
    sayCallbackDeclined: enqueueActions(({ enqueue }) => {
      enqueue.emit({ type: 'reply', reply: { key: 'callback.declined', buttons: menuButtons() } });
      enqueue.assign({ offeredHandoff: undefined });
    }),
    sayCallbackRecorded: emit(({ event }) => ({
      type: 'reply' as const,
      reply: {
        key: 'callback.recorded',
        params: { time: outputOf<CallbackOutput>(event)?.preferredTime ?? '' },
        outcome: 'handedOff' as const,
        buttons: menuButtons(),
        handoff: { status: 'callback' as const },
      },
    })),
  },
});

/**
 * "Was this helpful?" answered: recorded for the last answer, thanked or apologised for, and the
 * pending question asked again. Made with the setup's `createAction` rather than inside setup():
 * it runs the root's `recordFeedback` by name, which an action inside setup() cannot name.
 */
export const takeFeedback = changePhoneSetup.createAction(
  enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== 'FEEDBACK_GIVEN') return;
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
);
