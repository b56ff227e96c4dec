import { createHmac } from 'node:crypto';
import { fromPromise } from 'xstate';
import type {
  ChangeBindingInput,
  ChangeBindingOutput,
  CheckNewPhoneInput,
  CheckNewPhoneOutput,
  IdentityInput,
  IdentityOutput,
  Locale,
  RequestAgentInput,
  RequestAgentOutput,
  SendCodeInput,
  SendCodeOutput,
  VerifyCodeInput,
  VerifyCodeOutput,
} from '../dialogs/types';
import type { AuditLog } from './audit';
import type { BankCore } from './bank/types';
import type { Clock } from './clock';
import type { HandoffService } from './handoff';
import type { AttemptLimiter } from './limits';
import { maskCard, maskPhone } from './mask';
import type { NoticeSender } from './notify';
import type { OtpService } from './otp/types';
import type { SmsGateway } from './sms/types';

export type Render = (locale: Locale, key: string, params?: Record<string, string | number>) => string;

export interface ChartEffectDeps {
  bank: BankCore;
  otp: OtpService;
  sms: SmsGateway;
  notices: NoticeSender;
  /** Failed identity checks, counted per card across conversations. */
  identityLimiter: AttemptLimiter;
  handoff: HandoffService;
  audit: AuditLog;
  render: Render;
  /** Keys the identity limiter's per-card hash. */
  secret: Buffer;
  clock: Clock;
  ttlSeconds: number;
  /** Logs what went wrong in a side effect; never receives a secret. */
  warn?: (message: string, fields?: Record<string, unknown>) => void;
}

const minutesUntil = (until: number, now: number) => Math.max(1, Math.ceil((until - now) / 60_000));
const secondsUntil = (until: number, now: number) => Math.max(1, Math.ceil((until - now) / 1000));

/** Formats a time for an SMS notice, in the bank's time zone. */
function noticeTime(at: number, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(at));
}

/**
 * The real implementations of the effects the chart names. Each maps service results to the chart's
 * small output vocabulary and leaves an audit record with masked values only.
 */
export function createChartActors(deps: ChartEffectDeps) {
  const { bank, otp, sms, notices, identityLimiter, handoff, audit, render, clock } = deps;
  const cardKey = (card: string) => createHmac('sha256', deps.secret).update(`identity|${card}`).digest('hex');

  const verifyIdentity = fromPromise<IdentityOutput, IdentityInput>(async ({ input }) => {
    const key = cardKey(input.card);
    const conv = input.conversationId;
    const lockedUntil = identityLimiter.lockedUntil(key) ?? (await otp.lockedUntil(input.card));
    if (lockedUntil !== undefined) {
      return { result: 'locked', minutesLeft: minutesUntil(lockedUntil, clock()) };
    }
    const r = await bank.verifyIdentity({
      cardNumber: input.card,
      idType: input.idType,
      idNumber: input.idNumber,
      phone: input.phone,
    });
    const masked = { card: maskCard(input.card) };
    if (!r.match) {
      const f = identityLimiter.fail(key);
      if (f.locked) {
        audit.record('identity.locked', conv, masked);
        return { result: 'locked', minutesLeft: minutesUntil(f.until, clock()) };
      }
      audit.record('identity.failed', conv, { ...masked, attemptsLeft: f.attemptsLeft });
      return { result: 'mismatch', attemptsLeft: f.attemptsLeft };
    }
    identityLimiter.reset(key);
    if (r.standing !== 'ok') {
      audit.record('identity.abnormal', conv, { ...masked, standing: r.standing });
      return { result: 'abnormal', standing: r.standing };
    }
    audit.record('identity.passed', conv, masked);
    return { result: 'ok', customerId: r.customerId, cardId: r.cardId };
  });

  const sendCode = fromPromise<SendCodeOutput, SendCodeInput>(async ({ input }) => {
    const { locale, ...binding } = input;
    const masked = { purpose: input.purpose, phone: maskPhone(input.phone) };
    const issued = await otp.issue(binding);
    const now = clock();
    if (!issued.ok) {
      audit.record('code.refused', input.conversationId, { ...masked, reason: issued.reason });
      switch (issued.reason) {
        case 'cooldown':
          return { result: 'cooldown', secondsLeft: secondsUntil(issued.retryAt, now) };
        case 'hourlyCap':
        case 'dailyCap':
          return { result: 'capped', minutesLeft: minutesUntil(issued.retryAt, now) };
        case 'locked':
          return { result: 'locked', minutesLeft: minutesUntil(issued.until, now) };
      }
    }
    const minutes = Math.max(1, Math.round(deps.ttlSeconds / 60));
    try {
      await sms.send({
        to: input.phone,
        text: render(locale, `sms.code.${input.purpose}`, { code: issued.code, minutes }),
      });
    } catch (err) {
      // Not sent, so not counted: the customer can ask again at once.
      await otp.revoke(issued.codeId);
      audit.record('code.sendFailed', input.conversationId, masked);
      deps.warn?.('sms gateway failed', { purpose: input.purpose, error: String(err) });
      return { result: 'smsFailed' };
    }
    audit.record('code.sent', input.conversationId, masked);
    return {
      result: 'sent',
      ttlMinutes: minutes,
      resendSeconds: secondsUntil(issued.resendAt, now),
    };
  });

  const verifyCode = fromPromise<VerifyCodeOutput, VerifyCodeInput>(async ({ input }) => {
    const { code, ...binding } = input;
    const masked = { purpose: input.purpose, phone: maskPhone(input.phone) };
    const r = await otp.verify(binding, code);
    if (r.ok) {
      audit.record('code.verified', input.conversationId, masked);
      return { result: 'ok', codeId: r.codeId };
    }
    if (r.reason === 'locked') {
      audit.record('code.locked', input.conversationId, { ...masked, card: maskCard(input.card) });
      return { result: 'locked', minutesLeft: minutesUntil(r.until, clock()) };
    }
    audit.record('code.failed', input.conversationId, { ...masked, reason: r.reason });
    return r.reason === 'wrong' ? { result: 'wrong', attemptsLeft: r.attemptsLeft } : { result: r.reason };
  });

  const checkNewPhone = fromPromise<CheckNewPhoneOutput, CheckNewPhoneInput>(async ({ input }) => {
    const owner = await bank.phoneOwner(input.customerId, input.phone);
    return owner === 'other' ? { result: 'taken' } : { result: 'ok' };
  });

  const changeBinding = fromPromise<ChangeBindingOutput, ChangeBindingInput>(async ({ input }) => {
    const r = await bank.changeBoundPhone({
      cardId: input.cardId,
      oldPhone: input.oldPhone,
      newPhone: input.newPhone,
      idempotencyKey: input.idempotencyKey,
      conversationId: input.conversationId,
    });
    const masked = {
      card: maskCard(input.card),
      oldPhone: maskPhone(input.oldPhone),
      newPhone: maskPhone(input.newPhone),
    };
    if (r.status === 'conflict') {
      audit.record('change.conflict', input.conversationId, masked);
      return { result: 'conflict' };
    }
    if (r.firstTime) audit.record('change.committed', input.conversationId, { ...masked, changeId: r.changeId });
    const time = noticeTime(r.at, input.locale);
    const notices_ = [
      { key: `${r.changeId}:old`, to: input.oldPhone, text: render(input.locale, 'sms.notice.old', { card: masked.card, newPhone: masked.newPhone, time }) },
      { key: `${r.changeId}:new`, to: input.newPhone, text: render(input.locale, 'sms.notice.new', { card: masked.card, oldPhone: masked.oldPhone, time }) },
    ];
    for (const n of notices_) {
      try {
        if (await notices.sendOnce(n.key, { to: n.to, text: n.text })) {
          audit.record('notice.sent', input.conversationId, { to: maskPhone(n.to), changeId: r.changeId });
        }
      } catch (err) {
        // The change stands; the notice is retried when the same change is reached again.
        audit.record('notice.failed', input.conversationId, { to: maskPhone(n.to), changeId: r.changeId });
        deps.warn?.('notice not sent', { error: String(err) });
      }
    }
    return { result: 'changed' };
  });

  const requestAgent = fromPromise<RequestAgentOutput, RequestAgentInput>(async ({ input }) => {
    const r = await handoff.request(input);
    audit.record('handoff.requested', input.conversationId, { reason: input.reason, ticket: r.ticket });
    return r;
  });

  return { verifyIdentity, sendCode, verifyCode, checkNewPhone, changeBinding, requestAgent };
}
