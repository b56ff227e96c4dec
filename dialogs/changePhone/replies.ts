import { maskCard, maskId, maskPhone } from '../../domain/mask';
import {
  validateCallbackTime,
  validateCardNumber,
  validateIdNumber,
  validateMobile,
  validateOtp,
} from '../../domain/validation';
import type {
  ChartContext,
  HandoffChannelData,
  HandoffRecord,
  Reply,
  SendCodeOutput,
  VerifyCodeOutput,
} from '../types';
import type { ButtonName } from '../../domain/buttonName';
import type { Expecting } from '../../domain/expecting';
import type { MaskedSummary } from '../../domain/maskedSummary';

/** Pure builders of what the chart says. Every reply is a message key with parameters. */

/** The welcome menu. */
export const MENU: readonly ButtonName[] = ['changePhone', 'faq', 'agent'];
export const menuButtons = (): ButtonName[] => [...MENU];

/** The buttons under a code prompt: a new code; for the current number also "I can't receive it". */
export function codeButtons(target: 'old' | 'new'): ButtonName[] {
  return target === 'old' ? ['resend', 'cantReceive'] : ['resend'];
}

/** Which number the code step is for: the current one until it is verified, then the new one. */
export function codeTarget(context: ChartContext): 'old' | 'new' {
  return context.passed.oldCode ? 'new' : 'old';
}

export function codePhone(context: ChartContext, target: 'old' | 'new'): string {
  return (target === 'old' ? context.oldPhone : context.newPhone) ?? '';
}

/** The prompt for each question: its key, buttons and extra fields. */
export function question(expecting: Expecting, context: ChartContext): Reply {
  switch (expecting) {
    case 'oldPhoneReachable':
      return {
        key: 'ask.oldPhoneReachable',
        params: { oldPhone: maskPhone(context.oldPhone ?? '') },
        expecting,
        buttons: ['yes', 'no'],
      };
    case 'otp':
      return {
        key: 'ask.otp',
        params: { phone: maskPhone(codePhone(context, codeTarget(context))) },
        expecting,
        otpTarget: codeTarget(context),
        buttons: codeButtons(codeTarget(context)),
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
    case 'callbackTime':
      return {
        key: 'ask.callbackTime',
        expecting,
        buttons: ['callbackMorning', 'callbackAfternoon', 'callbackEvening', 'cancel'],
      };
    case 'rating':
      return { key: 'ask.rating', expecting, buttons: ['rate5', 'rate4', 'rate3', 'rate2', 'rate1'] };
    default:
      return { key: `ask.${expecting}`, expecting };
  }
}

/** Why an answer to a question was refused: becomes `invalid.<expecting>.<reason>`. */
export function refusalReason(expecting: Expecting, text: string, context: ChartContext): string {
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
    case 'callbackTime': {
      const r = validateCallbackTime(text);
      return r.ok ? 'notATime' : r.reason;
    }
    case 'rating':
      return 'format';
  }
}

/** The masked view of a flow. ID numbers are masked already once the identity check passed. */
export function summarize(context: ChartContext): MaskedSummary {
  return {
    card: context.card ? maskCard(context.card) : undefined,
    idNumber: context.idNumber ? maskId(context.idNumber) : undefined,
    oldPhone: context.oldPhone ? maskPhone(context.oldPhone) : undefined,
    newPhone: context.newPhone ? maskPhone(context.newPhone) : undefined,
    passed: context.passed,
    stoppedAt: context.expecting,
  };
}

/** The masked context a person gets: the flow in progress, or the summary of the last one. */
export function handoffSummary(context: ChartContext): MaskedSummary {
  return context.card || context.oldPhone || !context.summary ? summarize(context) : context.summary;
}

/** Whole minutes, at least one, for a wait said in minutes. */
export function minutesFrom(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}

export function sendReply(context: ChartContext, output: SendCodeOutput, target: 'old' | 'new'): Reply {
  const base = { expecting: 'otp' as const, otpTarget: target, buttons: codeButtons(target) };
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
    case 'limited':
      return {
        ...base,
        key: 'limit.codes',
        params: { minutes: minutesFrom(output.retryAfterSeconds) },
        buttons: ['agent'],
        data: { reason: 'rateLimited', retryAfterSeconds: String(output.retryAfterSeconds) },
      };
    case 'locked':
      return lockedReply(output.minutesLeft);
  }
}

export function verifyReply(context: ChartContext, output: VerifyCodeOutput, target: 'old' | 'new'): Reply {
  const base = { expecting: 'otp' as const, otpTarget: target, buttons: codeButtons(target) };
  const phone = maskPhone(codePhone(context, target));
  switch (output.result) {
    case 'wrong':
      return { ...base, key: 'otp.wrong', params: { phone, attemptsLeft: output.attemptsLeft } };
    case 'expired':
      return { ...base, key: 'otp.expired', params: { phone } };
    case 'noCode':
      return { ...base, key: 'otp.noCode', params: { phone } };
    case 'locked':
      return lockedReply(output.minutesLeft);
    case 'ok':
      return { key: 'otp.verified' };
  }
}

export function lockedReply(minutes: number): Reply {
  return { key: 'otp.locked', params: { minutes }, outcome: 'locked', buttons: ['agent'] };
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
export function waitingReply(key: string, handoff: HandoffRecord, extra: Partial<Reply> = {}): Reply {
  return {
    key,
    params: { ticket: handoff.ticket, position: handoff.position ?? 1, waitMinutes: handoff.waitMinutes ?? 1 },
    buttons: ['stopWaiting'],
    handoff: waitingData(handoff),
    ...extra,
  };
}

export const connectedReply = (ticket: string, agentName: string): Reply => ({
  key: 'handoff.connected',
  params: { agent: agentName },
  handoff: { status: 'withAgent', ticket, agentName },
});
