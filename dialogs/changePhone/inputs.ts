import { parseRating, validateCallbackTime, validateOtp } from '../../domain/validation';
import { said } from './events';
import { codePhone, codeTarget, handoffSummary, summarize } from './replies';
import type {
  CallbackInput,
  ChangeBindingInput,
  ChartContext,
  ChartEvent,
  CheckNewPhoneInput,
  CodeBinding,
  IdentityInput,
  RelayInput,
  RequestAgentInput,
  SendCodeInput,
  VerifyCodeInput,
} from '../types';

/*
 * What each effect is given, from the context (and, for a code, a message or a time, from the event
 * that started it). One function per effect, named for it; the chart's states say `input: sendCodeInput`.
 */

/** What an effect's input is made from: the context, and the event that entered the state. */
export type From = { context: ChartContext; event: ChartEvent };

export const identityInput = ({ context }: From): IdentityInput => ({
  conversationId: context.conversationId,
  card: context.card ?? '',
  idType: context.idType ?? 'CN_RESIDENT',
  idNumber: context.idNumber ?? '',
  phone: context.oldPhone ?? '',
});

/** The code step's binding: whatever detail changes makes a new generation, and old codes void. */
export function codeBinding(context: ChartContext): CodeBinding {
  const purpose = codeTarget(context);
  return {
    conversationId: context.conversationId,
    purpose,
    phone: codePhone(context, purpose),
    card: context.card ?? '',
    generation: context.codes[purpose],
  };
}

export const sendCodeInput = ({ context }: From): SendCodeInput => ({ ...codeBinding(context), locale: context.locale });

/** The code travels in the event that entered the verifying state: it is never kept in context. */
export const verifyCodeInput = ({ context, event }: From): VerifyCodeInput => {
  const r = validateOtp(said(event));
  return { ...codeBinding(context), code: r.ok ? r.code : '' };
};

export const checkNewPhoneInput = ({ context }: From): CheckNewPhoneInput => ({
  customerId: context.customerId ?? '',
  phone: context.newPhone ?? '',
});

export const changeBindingInput = ({ context }: From): ChangeBindingInput => ({
  conversationId: context.conversationId,
  cardId: context.cardId ?? '',
  card: context.card ?? '',
  oldPhone: context.oldPhone ?? '',
  newPhone: context.newPhone ?? '',
  // One verified code for the new number authorises exactly one change.
  idempotencyKey: `${context.conversationId}:${context.newCodeId ?? ''}`,
  locale: context.locale,
});

export const requestAgentInput = ({ context }: From): RequestAgentInput => ({
  conversationId: context.conversationId,
  reason: context.offeredHandoff ?? 'customerRequest',
  locale: context.locale,
  context: handoffSummary(context),
});

/** The customer's message, for the person who has (or will have) the conversation. */
export const relayInput = ({ context, event }: From): RelayInput => ({ ticket: context.handoff?.ticket ?? '', text: said(event) });

export const leaveQueueInput = ({ context }: From): { ticket: string; conversationId: string } => ({
  ticket: context.handoff?.ticket ?? '',
  conversationId: context.conversationId,
});

export const callbackInput = ({ context, event }: From): CallbackInput => {
  const time = validateCallbackTime(said(event));
  return {
    conversationId: context.conversationId,
    reason: context.offeredHandoff ?? 'customerRequest',
    locale: context.locale,
    context: context.summary ?? summarize(context),
    preferredTime: time.ok ? time.text : '',
  };
};

/** What `recordRating` (an action provided at the root) is given: the ticket of the person who helped, the stars. */
export const ratingRecord = ({ context, event }: From): { ticket: string; stars: number; conversationId: string } => ({
  ticket: context.ratingFor ?? '',
  stars: parseRating(said(event)) ?? 0,
  conversationId: context.conversationId,
});
