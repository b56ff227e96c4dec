import { assign, emit, enqueueActions, fromPromise, setup } from 'xstate';
import { maskCard, maskId, maskPhone } from '../services/mask';
import {
  validateCardNumber,
  validateIdNumber,
  validateMobile,
  validateOtp,
  looksLikeSecret,
} from '../services/validation';
import type {
  ActedIntent,
  ButtonName,
  ChangeBindingInput,
  ChangeBindingOutput,
  ChartContext,
  ChartEmitted,
  ChartEvent,
  ChartInput,
  CheckNewPhoneInput,
  CheckNewPhoneOutput,
  Expecting,
  HandoffReason,
  IdentityInput,
  IdentityOutput,
  Intent,
  MaskedSummary,
  Reply,
  RequestAgentInput,
  RequestAgentOutput,
  SendCodeInput,
  SendCodeOutput,
  VerifyCodeInput,
  VerifyCodeOutput,
} from './types';

/** After this many failed answers to one question, a person is offered. */
export const MISSES_BEFORE_AGENT = 3;
/** After this many messages in a row the bot cannot place, a person is offered. */
export const FALLBACKS_BEFORE_AGENT = 2;

/** The welcome menu. */
const menu: readonly ButtonName[] = ['changePhone', 'faq', 'agent'];
function menuButtons(): ButtonName[] {
  return [...menu];
}

/** An effect the root forgot to provide fails loudly instead of pretending to work. */
function notProvided<O, I>(name: string) {
  return fromPromise<O, I>(async () => {
    throw new Error(`effect '${name}' was not provided to the chart`);
  });
}

const said = (event: ChartEvent): string => (event.type === 'SAID' ? event.text : '');
const intentOf = (event: ChartEvent): Intent | undefined => (event.type === 'SAID' ? event.intent : undefined);

/** The prompt for each question: its key, buttons and extra fields. */
function question(expecting: Expecting, context: ChartContext): Reply {
  switch (expecting) {
    case 'oldPhoneReachable':
      return {
        key: 'ask.oldPhoneReachable',
        params: { oldPhone: maskPhone(context.oldPhone ?? '') },
        expecting,
        buttons: ['yes', 'no'],
      };
    case 'otp':
      // Re-asked only after a help request: the code prompt itself comes with the send result.
      return {
        key: 'ask.otp',
        params: { phone: maskPhone((context.passed.oldCode ? context.newPhone : context.oldPhone) ?? '') },
        expecting,
        otpTarget: context.passed.oldCode ? 'new' : 'old',
        buttons: ['resend'],
      };
    case 'confirm':
      return {
        key: 'ask.confirm',
        params: {
          card: maskCard(context.card ?? ''),
          oldPhone: maskPhone(context.oldPhone ?? ''),
          newPhone: maskPhone(context.newPhone ?? ''),
        },
        expecting,
        buttons: ['confirm', 'cancel'],
      };
    default:
      return { key: `ask.${expecting}`, expecting };
  }
}

/** Why an answer to a question was refused: becomes `invalid.<expecting>.<reason>`. */
function refusalReason(expecting: Expecting, text: string, context: ChartContext): string {
  switch (expecting) {
    case 'cardNumber': {
      const r = validateCardNumber(text);
      return r.ok ? 'format' : r.reason;
    }
    case 'idNumber': {
      const r = validateIdNumber(text);
      return r.ok ? 'format' : r.reason;
    }
    case 'oldPhone': {
      const r = validateMobile(text);
      return r.ok ? 'format' : r.reason;
    }
    case 'newPhone': {
      const r = validateMobile(text);
      if (!r.ok) return r.reason;
      return r.e164 === context.oldPhone ? 'sameAsOld' : 'format';
    }
    case 'otp': {
      const r = validateOtp(text);
      return r.ok ? 'format' : r.reason;
    }
    case 'oldPhoneReachable':
    case 'confirm':
      return 'yesNo';
  }
}

/** The masked view of a flow. ID numbers are masked already once the identity check passed. */
function summarize(context: ChartContext): MaskedSummary {
  return {
    card: context.card ? maskCard(context.card) : undefined,
    idNumber: context.idNumber ? maskId(context.idNumber) : undefined,
    oldPhone: context.oldPhone ? maskPhone(context.oldPhone) : undefined,
    newPhone: context.newPhone ? maskPhone(context.newPhone) : undefined,
    passed: context.passed,
    stoppedAt: context.expecting,
  };
}

/** Which number the code step is for: the current one until it is verified, then the new one. */
function codeTarget(context: ChartContext): 'old' | 'new' {
  return context.passed.oldCode ? 'new' : 'old';
}

function codePhone(context: ChartContext, target: 'old' | 'new'): string {
  return (target === 'old' ? context.oldPhone : context.newPhone) ?? '';
}

function sendInput(context: ChartContext, purpose: 'old' | 'new'): SendCodeInput {
  return {
    conversationId: context.conversationId,
    purpose,
    phone: codePhone(context, purpose),
    card: context.card ?? '',
    generation: context.generation,
    locale: context.locale,
  };
}

/** The code travels in the event that entered the verifying state: it is never kept in context. */
function verifyInput(context: ChartContext, purpose: 'old' | 'new', event: ChartEvent): VerifyCodeInput {
  const r = validateOtp(said(event));
  return {
    conversationId: context.conversationId,
    purpose,
    phone: codePhone(context, purpose),
    card: context.card ?? '',
    generation: context.generation,
    code: r.ok ? r.code : '',
  };
}

function sendReply(context: ChartContext, output: SendCodeOutput, target: 'old' | 'new'): Reply {
  const base = {
    expecting: 'otp' as const,
    otpTarget: target,
    buttons: ['resend'] as ButtonName[],
  };
  const phone = maskPhone(codePhone(context, target));
  switch (output.result) {
    case 'sent':
      return {
        ...base,
        key: `otp.sent.${target}`,
        params: { phone, minutes: output.ttlMinutes, seconds: output.resendSeconds },
        data: { resendAfterSeconds: String(output.resendSeconds) },
      };
    case 'cooldown':
      return {
        ...base,
        key: 'otp.cooldown',
        params: { phone, seconds: output.secondsLeft },
        data: { resendAfterSeconds: String(output.secondsLeft) },
      };
    case 'capped':
      return { ...base, key: 'otp.capped', params: { phone, minutes: output.minutesLeft }, buttons: ['agent'] };
    case 'smsFailed':
      return { ...base, key: 'otp.smsFailed', params: { phone }, buttons: ['resend', 'agent'] };
    case 'locked':
      return { key: 'otp.locked', params: { minutes: output.minutesLeft }, outcome: 'locked', buttons: ['agent'] };
  }
}

function verifyReply(context: ChartContext, output: VerifyCodeOutput, target: 'old' | 'new'): Reply {
  const base = { expecting: 'otp' as const, otpTarget: target, buttons: ['resend'] as ButtonName[] };
  const phone = maskPhone(codePhone(context, target));
  switch (output.result) {
    case 'wrong':
      return { ...base, key: 'otp.wrong', params: { phone, attemptsLeft: output.attemptsLeft } };
    case 'expired':
      return { ...base, key: 'otp.expired', params: { phone } };
    case 'noCode':
      return { ...base, key: 'otp.noCode', params: { phone } };
    case 'locked':
      return { key: 'otp.locked', params: { minutes: output.minutesLeft }, outcome: 'locked', buttons: ['agent'] };
    case 'ok':
      return { key: 'otp.verified' };
  }
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
  passed: { identity: false, oldCode: false, newCode: false },
} satisfies Partial<ChartContext>;

const busy = 'busy' as const;

/**
 * The change-number conversation. Pure: every effect is named here and provided at the composition
 * root (`machine.provide({ actors })`); tests provide fakes. What the bot says is emitted as
 * `{ type: 'reply', reply }` with a message key; wording lives in content/.
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
  },
  guards: {
    intentIs: ({ event }, params: { intent: Intent }) => intentOf(event) === params.intent,
    looksLikeSecret: ({ event }) => looksLikeSecret(said(event)),
    validCard: ({ event }) => validateCardNumber(said(event)).ok,
    validId: ({ event }) => validateIdNumber(said(event)).ok,
    validOldPhone: ({ event }) => validateMobile(said(event)).ok,
    validNewPhone: ({ context, event }) => {
      const r = validateMobile(said(event));
      return r.ok && r.e164 !== context.oldPhone;
    },
    /** A different valid new number while its code is awaited: the customer changed their mind. */
    otherNewPhone: ({ context, event }) => {
      if (!context.passed.oldCode) return false; // only once the current number is verified
      const r = validateMobile(said(event));
      return r.ok && r.e164 !== context.oldPhone && r.e164 !== context.newPhone;
    },
    /** A code, and not a PIN or CVV typed by mistake ("密码 123456"). */
    codeGiven: ({ event }) => validateOtp(said(event)).ok && !looksLikeSecret(said(event)),
    wantsResend: ({ event }) => intentOf(event) === 'resend',
    affirmed: ({ event }) => intentOf(event) === 'affirm',
    denied: ({ event }) => intentOf(event) === 'deny',
    fallbackLimitReached: ({ context }) => context.fallbacks + 1 >= FALLBACKS_BEFORE_AGENT,
  },
  actions: {
    say: emit((_, reply: Reply) => ({ type: 'reply' as const, reply })),
    acted: emit((_, params: { intent: ActedIntent; faqId?: string }) => ({ type: 'acted' as const, ...params })),
    informed: emit({ type: 'acted' as const, intent: 'inform' as const }),
    setLocale: assign(({ event }) => (event.type === 'LOCALE_SET' ? { locale: event.locale } : {})),

    /** Asks a question: sets what the bot now expects and starts counting misses afresh. */
    ask: enqueueActions(({ context, enqueue }, params: { expecting: Expecting }) => {
      enqueue.assign({ expecting: params.expecting, misses: 0 });
      enqueue.emit({ type: 'reply', reply: question(params.expecting, context) });
    }),
    /** Says the current question again (after help, a warning or a digression); nothing outside a flow. */
    askAgain: enqueueActions(({ context, enqueue }) => {
      if (context.expecting) enqueue.emit({ type: 'reply', reply: question(context.expecting, context) });
    }),
    saySendResult: enqueueActions(({ context, enqueue }, params: { output: SendCodeOutput }) => {
      enqueue.assign({ expecting: 'otp', misses: 0 });
      enqueue.emit({ type: 'reply', reply: sendReply(context, params.output, codeTarget(context)) });
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
        buttons: ['resend' as const],
      },
    })),
    sayOtpLocked: enqueueActions(({ enqueue }, params: { output: SendCodeOutput | VerifyCodeOutput }) => {
      enqueue.emit({
        type: 'reply',
        reply: {
          key: 'otp.locked',
          params: { minutes: params.output.result === 'locked' ? params.output.minutesLeft : 0 },
          outcome: 'locked',
          buttons: ['agent'],
        },
      });
      enqueue.assign({ offeredHandoff: 'otpLocked' });
    }),
    sayServiceError: enqueueActions(({ enqueue }) => {
      enqueue.emit({ type: 'reply', reply: { key: 'error.bankUnavailable', buttons: [...menu] } });
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
      generation: context.generation + 1,
      misses: 0,
      fallbacks: 0,
      offeredHandoff: undefined,
      summary: undefined,
    })),
    /** The flow is over: drop every detail, keep a masked summary for a later handoff. */
    endFlow: assign(({ context }) => ({
      ...emptyDetails,
      summary: context.card || context.oldPhone ? summarize(context) : context.summary,
      expecting: undefined,
      misses: 0,
    })),
    storeCard: assign(({ event }) => {
      const r = validateCardNumber(said(event));
      return r.ok ? { card: r.value } : {};
    }),
    storeId: assign(({ event }) => {
      const r = validateIdNumber(said(event));
      return r.ok ? { idType: r.idType, idNumber: r.value } : {};
    }),
    storeOldPhone: assign(({ event }) => {
      const r = validateMobile(said(event));
      return r.ok ? { oldPhone: r.e164 } : {};
    }),
    storeNewPhone: assign(({ context, event }) => {
      const r = validateMobile(said(event));
      if (!r.ok) return {};
      // A different number voids any code already sent for the old one.
      return r.e164 === context.newPhone
        ? {}
        : { newPhone: r.e164, generation: context.generation + 1, passed: { ...context.passed, newCode: false } };
    }),
    /** Identity passed: keep the bank's references; the full ID number is no longer needed. */
    storeIdentity: assign(({ context }, params: { customerId: string; cardId: string }) => ({
      customerId: params.customerId,
      cardId: params.cardId,
      idNumber: context.idNumber ? maskId(context.idNumber) : undefined,
      passed: { ...context.passed, identity: true },
    })),
    /** Identity failed: nothing the customer typed is kept; they start the details again. */
    forgetDetails: assign(({ context }) => ({ ...emptyDetails, generation: context.generation + 1 })),
    passOldCode: assign(({ context }) => ({ passed: { ...context.passed, oldCode: true } })),
    passNewCode: assign(({ context }, params: { codeId: string }) => ({
      newCodeId: params.codeId,
      passed: { ...context.passed, newCode: true },
    })),
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
    generation: 0,
    passed: { identity: false, oldCode: false, newCode: false },
  }),
  initial: 'idle',
  on: {
    LOCALE_SET: { actions: 'setLocale' },
    // A question from the knowledge base, answered wherever the customer is; the flow keeps its place.
    ASKED: {
      actions: [
        { type: 'acted', params: ({ event }) => ({ intent: 'faq' as const, faqId: event.faqId }) },
        {
          type: 'say',
          params: ({ event }) => ({ key: `faq.${event.faqId}`, data: { faqId: event.faqId } }),
        },
        'askAgain',
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
      entry: ['startFlow', { type: 'say', params: { key: 'flow.intro' } }],
      initial: 'collectingCard',
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
        // Whatever a question's own state does not accept lands here.
        SAID: [
          {
            guard: 'looksLikeSecret',
            actions: ['informed', { type: 'say', params: { key: 'warning.secret' } }, 'askAgain'],
          },
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
        collectingCard: {
          entry: { type: 'ask', params: { expecting: 'cardNumber' } },
          on: { SAID: { guard: 'validCard', target: 'collectingId', actions: ['informed', 'storeCard'] } },
        },
        collectingId: {
          entry: { type: 'ask', params: { expecting: 'idNumber' } },
          on: { SAID: { guard: 'validId', target: 'collectingOldPhone', actions: ['informed', 'storeId'] } },
        },
        collectingOldPhone: {
          entry: { type: 'ask', params: { expecting: 'oldPhone' } },
          on: {
            SAID: { guard: 'validOldPhone', target: 'verifyingIdentity', actions: ['informed', 'storeOldPhone'] },
          },
        },
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
                target: 'askingReachable',
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
                target: 'collectingCard',
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
              { guard: 'affirmed', target: 'sendingCode', actions: 'informed' },
              {
                guard: 'denied',
                target: '#rebind.idle',
                actions: [
                  'informed',
                  {
                    type: 'say',
                    params: { key: 'oldPhone.unreachable', outcome: 'rejected', buttons: ['agent'] },
                  },
                  { type: 'offerAgent', params: { reason: 'oldPhoneUnreachable' } },
                ],
              },
            ],
          },
        },
        // The code steps serve both numbers: first the current one, then (once it is verified) the new one.
        sendingCode: {
          tags: busy,
          invoke: {
            src: 'sendCode',
            input: ({ context }) => sendInput(context, codeTarget(context)),
            onDone: [
              {
                guard: ({ event }) => event.output.result === 'locked',
                target: '#rebind.idle',
                actions: { type: 'sayOtpLocked', params: ({ event }) => ({ output: event.output }) },
              },
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
              { guard: 'codeGiven', target: 'verifyingCode', actions: 'informed' },
              // Another new number while its code is awaited: that code is void; check and send anew.
              { guard: 'otherNewPhone', target: 'checkingNewPhone', actions: ['informed', 'storeNewPhone'] },
            ],
          },
        },
        verifyingCode: {
          tags: busy,
          invoke: {
            src: 'verifyCode',
            input: ({ context, event }) => verifyInput(context, codeTarget(context), event),
            onDone: [
              {
                guard: ({ context, event }) => event.output.result === 'ok' && codeTarget(context) === 'old',
                target: 'collectingNewPhone',
                actions: ['passOldCode', { type: 'say', params: { key: 'otp.oldVerified' } }],
              },
              {
                guard: ({ event }) => event.output.result === 'ok',
                target: 'confirming',
                actions: {
                  type: 'passNewCode',
                  params: ({ event }) => ({ codeId: event.output.result === 'ok' ? event.output.codeId : '' }),
                },
              },
              {
                guard: ({ event }) => event.output.result === 'locked',
                target: '#rebind.idle',
                actions: { type: 'sayOtpLocked', params: ({ event }) => ({ output: event.output }) },
              },
              {
                target: 'awaitingCode',
                actions: { type: 'sayVerifyResult', params: ({ event }) => ({ output: event.output }) },
              },
            ],
            onError: { target: 'awaitingCode', actions: 'sayTemporaryError' },
          },
        },
        collectingNewPhone: {
          entry: { type: 'ask', params: { expecting: 'newPhone' } },
          on: {
            SAID: { guard: 'validNewPhone', target: 'checkingNewPhone', actions: ['informed', 'storeNewPhone'] },
          },
        },
        checkingNewPhone: {
          tags: busy,
          invoke: {
            src: 'checkNewPhone',
            input: ({ context }) => ({ customerId: context.customerId ?? '', phone: context.newPhone ?? '' }),
            onDone: [
              { guard: ({ event }) => event.output.result === 'ok', target: 'sendingCode' },
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
                  params: ({ context }) => ({
                    key: 'change.done',
                    params: {
                      card: maskCard(context.card ?? ''),
                      oldPhone: maskPhone(context.oldPhone ?? ''),
                      newPhone: maskPhone(context.newPhone ?? ''),
                    },
                    outcome: 'phoneChanged',
                    buttons: menuButtons(),
                  }),
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
            // Nothing was changed (the change is one transaction): the customer may confirm again.
            onError: { target: 'confirming', actions: { type: 'say', params: { key: 'error.changeFailed' } } },
          },
        },
      },
    },

    handingOff: {
      tags: busy,
      invoke: {
        src: 'requestAgent',
        input: ({ context }): RequestAgentInput => ({
          conversationId: context.conversationId,
          reason: context.offeredHandoff ?? 'customerRequest',
          locale: context.locale,
          context: context.card || context.oldPhone || !context.summary ? summarize(context) : context.summary,
        }),
        onDone: {
          target: 'idle',
          actions: [
            {
              type: 'say',
              params: ({ event }) => ({
                key: 'handoff.requested',
                params: { ticket: event.output.ticket },
                outcome: 'handedOff',
              }),
            },
            assign({ offeredHandoff: undefined }),
          ],
        },
        onError: {
          target: 'idle',
          actions: { type: 'say', params: { key: 'handoff.unavailable', buttons: menuButtons() } },
        },
      },
    },
  },
});

export type ChangePhoneMachine = typeof changePhoneMachine;
