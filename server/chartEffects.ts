import { createHmac } from 'node:crypto';
import { changePhoneMachine, effectsActor, type ChangePhoneMachine } from '../dialogs/changePhone';
import type {
  ChangeBindingInput,
  ChangeBindingOutput,
  CheckNewPhoneInput,
  CheckNewPhoneOutput,
  IdentityInput,
  IdentityOutput,
  CallbackInput,
  CallbackOutput,
  ChartEffects,
  LeaveQueueInput,
  LeaveQueueOutput,
  RelayInput,
  RelayOutput,
  RequestAgentInput,
  RequestAgentOutput,
  SendCodeInput,
  SendCodeOutput,
  VerifyCodeInput,
  VerifyCodeOutput,
} from '../dialogs/types';
import type { Locale } from '../domain/locale';
import type { AuditLog } from '../services/audit';
import type { BankCore } from '../services/bank';
import type { FaqFeedback } from '../services/feedback';
import type { Clock } from '../domain/clock';
import { QueueError, type HandoffQueue } from '../services/handoff';
import type { AgentHours } from '../services/handoff/agentHours';
import { newTicket } from '../services/handoff/ticket';
import type { TranscriptStore } from '../services/transcripts';
import type { AttemptLimiter, RateLimits } from '../services/limits';
import type { TurnClient } from '../services/limits/turnClient';
import { maskCard, maskPhone } from '../domain/mask';
import type { NoticeSender } from '../services/notices';
import type { OtpService } from '../services/otp';
import type { SmsGateway } from '../services/sms';
import { secretKey } from '../services/platform/secretKey';

export type Render = (locale: Locale, key: string, params?: Record<string, string | number>) => string;

export interface ChartEffectDeps {
  bank: BankCore;
  otp: OtpService;
  sms: SmsGateway;
  notices: NoticeSender;
  /** Failed identity checks, counted per card across conversations. */
  identityLimiter: AttemptLimiter;
  /** Identity checks and code sends per conversation, user, client IP and card (RATE_LIMIT_*). */
  rateLimits: RateLimits;
  /** Who sent the message of the conversation's turn under way (user id, address), for the rate limits. */
  clientOf?: (conversationId: string) => TurnClient;
  handoff: {
    queue: HandoffQueue;
    hours: AgentHours;
    /** queue: our own queue and console; protocol: the channel's agent hub. */
    mode: 'queue' | 'protocol';
    transcripts: TranscriptStore;
    agentName: (agentId: string) => string;
  };
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

/** One formatter per locale: making one costs far more than formatting with it. */
const noticeFormats = new Map<Locale, Intl.DateTimeFormat>();

/** Formats a time for an SMS notice, in the bank's time zone. */
function noticeTime(at: number, locale: Locale): string {
  let format = noticeFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    noticeFormats.set(locale, format);
  }
  return format.format(new Date(at));
}

/** When agents are next at the desk, for the customer, in the agents' time zone. */
function openingTime(at: number, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    month: 'short',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(at));
}

/**
 * The real implementations of the effects the chart names. Each maps service results to the chart's
 * small output vocabulary and leaves an audit record with masked values only.
 */
export function createChartEffects(deps: ChartEffectDeps): ChartEffects {
  const { bank, otp, sms, notices, identityLimiter, rateLimits, handoff, audit, render, clock } = deps;
  /** Counts an identity check or a code send for everyone it is done for; the refusal, if any. */
  const overLimit = async (action: 'identity' | 'codes', conversationId: string, card: string) => {
    const client = deps.clientOf?.(conversationId) ?? {};
    const decision = await rateLimits.consume(action, { conversation: conversationId, ...client, card });
    return decision.allowed ? undefined : decision;
  };
  const cardKey = (card: string) => createHmac('sha256', secretKey(deps.secret)).update(`identity|${card}`).digest('hex');

  const verifyIdentity = async (input: IdentityInput): Promise<IdentityOutput> => {
    const key = cardKey(input.card);
    const conv = input.conversationId;
    const lockedUntil = (await identityLimiter.lockedUntil(key)) ?? (await otp.lockedUntil(input.card));
    if (lockedUntil !== undefined) {
      return { result: 'locked', minutesLeft: minutesUntil(lockedUntil, clock()) };
    }
    const limited = await overLimit('identity', conv, input.card);
    if (limited) {
      await audit.record('identity.limited', conv, { card: maskCard(input.card), scope: limited.scope });
      return { result: 'limited', retryAfterSeconds: limited.retryAfterSeconds };
    }
    const r = await bank.verifyIdentity({
      cardNumber: input.card,
      idType: input.idType,
      idNumber: input.idNumber,
      phone: input.phone,
    });
    const masked = { card: maskCard(input.card) };
    if (!r.match) {
      const f = await identityLimiter.fail(key);
      if (f.locked) {
        await audit.record('identity.locked', conv, masked);
        return { result: 'locked', minutesLeft: minutesUntil(f.until, clock()) };
      }
      await audit.record('identity.failed', conv, { ...masked, attemptsLeft: f.attemptsLeft });
      return { result: 'mismatch', attemptsLeft: f.attemptsLeft };
    }
    await identityLimiter.reset(key);
    if (r.standing !== 'ok') {
      await audit.record('identity.abnormal', conv, { ...masked, standing: r.standing });
      return { result: 'abnormal', standing: r.standing };
    }
    await audit.record('identity.passed', conv, masked);
    return { result: 'ok', customerId: r.customerId, cardId: r.cardId };
  };

  const sendCode = async (input: SendCodeInput): Promise<SendCodeOutput> => {
    const { locale, ...binding } = input;
    const masked = { purpose: input.purpose, phone: maskPhone(input.phone) };
    const limited = await overLimit('codes', input.conversationId, input.card);
    if (limited) {
      await audit.record('code.refused', input.conversationId, { ...masked, reason: 'rateLimited', scope: limited.scope });
      return { result: 'limited', retryAfterSeconds: limited.retryAfterSeconds };
    }
    const issued = await otp.issue(binding);
    const now = clock();
    if (!issued.ok) {
      await audit.record('code.refused', input.conversationId, { ...masked, reason: issued.reason });
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
      await audit.record('code.sendFailed', input.conversationId, masked);
      deps.warn?.('sms gateway failed', { purpose: input.purpose, error: String(err) });
      return { result: 'smsFailed' };
    }
    await audit.record('code.sent', input.conversationId, masked);
    return {
      result: 'sent',
      ttlMinutes: minutes,
      resendSeconds: secondsUntil(issued.resendAt, now),
    };
  };

  const verifyCode = async (input: VerifyCodeInput): Promise<VerifyCodeOutput> => {
    const { code, ...binding } = input;
    const masked = { purpose: input.purpose, phone: maskPhone(input.phone) };
    const r = await otp.verify(binding, code);
    if (r.ok) {
      await audit.record('code.verified', input.conversationId, masked);
      return { result: 'ok', codeId: r.codeId };
    }
    if (r.reason === 'locked') {
      await audit.record('code.locked', input.conversationId, { ...masked, card: maskCard(input.card) });
      return { result: 'locked', minutesLeft: minutesUntil(r.until, clock()) };
    }
    await audit.record('code.failed', input.conversationId, { ...masked, reason: r.reason });
    return r.reason === 'wrong' ? { result: 'wrong', attemptsLeft: r.attemptsLeft } : { result: r.reason };
  };

  const checkNewPhone = async (input: CheckNewPhoneInput): Promise<CheckNewPhoneOutput> => {
    const owner = await bank.phoneOwner(input.customerId, input.phone);
    return owner === 'other' ? { result: 'taken' } : { result: 'ok' };
  };

  const committedOnRecord = async (conversationId: string, changeId: string): Promise<boolean> =>
    (await audit.list({ conversationId })).some((r) => r.type === 'change.committed' && r.data['changeId'] === changeId);

  const changeBinding = async (input: ChangeBindingInput): Promise<ChangeBindingOutput> => {
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
      await audit.record('change.conflict', input.conversationId, masked);
      return { result: 'conflict' };
    }
    // Recorded once per change. Usually that is the call that made it (firstTime); but a change that
    // committed after its caller gave up (a bank timeout) is first reported to a later confirm.
    if (r.firstTime || !(await committedOnRecord(input.conversationId, r.changeId))) {
      await audit.record('change.committed', input.conversationId, { ...masked, changeId: r.changeId });
    }
    const time = noticeTime(r.at, input.locale);
    const notices_ = [
      { key: `${r.changeId}:old`, to: input.oldPhone, text: render(input.locale, 'sms.notice.old', { card: masked.card, newPhone: masked.newPhone, time }) },
      { key: `${r.changeId}:new`, to: input.newPhone, text: render(input.locale, 'sms.notice.new', { card: masked.card, oldPhone: masked.oldPhone, time }) },
    ];
    for (const n of notices_) {
      try {
        if (await notices.sendOnce(n.key, { to: n.to, text: n.text })) {
          await audit.record('notice.sent', input.conversationId, { to: maskPhone(n.to), changeId: r.changeId });
        }
      } catch (err) {
        // The change stands; the notice is retried when the same change is reached again.
        await audit.record('notice.failed', input.conversationId, { to: maskPhone(n.to), changeId: r.changeId });
        deps.warn?.('notice not sent', { error: String(err) });
      }
    }
    return { result: 'changed' };
  };

  const { queue, hours, transcripts } = handoff;
  const agentOf = async (ticket: string): Promise<string> => {
    const agentId = (await queue.get(ticket))?.agentId;
    return agentId ? handoff.agentName(agentId) : '';
  };

  const requestAgent = async (input: RequestAgentInput): Promise<RequestAgentOutput> => {
    const conv = input.conversationId;
    const now = clock();
    if (handoff.mode === 'protocol') {
      const ticket = newTicket();
      await audit.record('handoff.requested', conv, { reason: input.reason, ticket, mode: 'protocol' });
      return { result: 'channel', ticket, requestedAt: now };
    }
    const open = await queue.openFor(conv);
    if (open?.status === 'withAgent') {
      return { result: 'withAgent', ticket: open.ticket, agentName: await agentOf(open.ticket), requestedAt: open.requestedAt };
    }
    if (!open && !hours.isOpen(now)) {
      const opens = hours.nextOpening(now);
      await audit.record('handoff.afterHours', conv, { reason: input.reason });
      return opens === undefined ? { result: 'closed' } : { result: 'closed', opensAt: openingTime(opens, input.locale, hours.timeZone) };
    }
    const queued = await queue.enqueue({
      conversationId: conv,
      reason: input.reason,
      locale: input.locale,
      context: input.context,
      transcript: await transcripts.recent(conv, 50),
    });
    if (queued.status === 'withAgent') {
      return { result: 'withAgent', ticket: queued.ticket, agentName: await agentOf(queued.ticket), requestedAt: now };
    }
    if (queued.created) await audit.record('handoff.requested', conv, { reason: input.reason, ticket: queued.ticket });
    return {
      result: 'queued',
      ticket: queued.ticket,
      position: queued.position,
      waitMinutes: queued.waitMinutes,
      requestedAt: (await queue.get(queued.ticket))?.requestedAt ?? now,
    };
  };

  /** Where the ticket stands now, after the customer's line was (or could not be) added. */
  const standing = async (ticket: string): Promise<RelayOutput> => {
    const t = await queue.get(ticket);
    if (t?.status === 'withAgent') return { status: 'withAgent', agentName: await agentOf(ticket) };
    const at = t?.status === 'waiting' ? await queue.position(ticket) : undefined;
    return at ? { status: 'waiting', ...at } : { status: 'ended' };
  };

  const relayToAgent = async (input: RelayInput): Promise<RelayOutput> => {
    try {
      await queue.addLine(input.ticket, { from: 'customer', text: input.text });
    } catch (err) {
      if (err instanceof QueueError) return { status: 'ended' };
      throw err;
    }
    return standing(input.ticket);
  };

  const leaveQueue = async (input: LeaveQueueInput): Promise<LeaveQueueOutput> => {
    const r = await queue.cancel(input.ticket);
    if (r.ok) {
      await audit.record('handoff.left', input.conversationId, { ticket: input.ticket });
      return { result: 'left' };
    }
    const now = await standing(input.ticket);
    return now.status === 'withAgent' ? { result: 'withAgent', agentName: now.agentName } : { result: 'ended' };
  };

  const requestCallback = async (input: CallbackInput): Promise<CallbackOutput> => {
    const callback = await queue.requestCallback(input);
    await audit.record('handoff.callbackRequested', input.conversationId, { reason: input.reason, callback: callback.id });
    return { id: callback.id, preferredTime: callback.preferredTime };
  };

  return {
    verifyIdentity,
    sendCode,
    verifyCode,
    checkNewPhone,
    changeBinding,
    requestAgent,
    relayToAgent,
    leaveQueue,
    requestCallback,
  };
}

/**
 * The chart with its real effects: the one place where the chart (dialogs/) meets the services. The
 * effects it asks for are the functions above, run by its `effects` actor; the courtesies it fires and forgets (feedback, ratings)
 * never hold up or break the customer's turn.
 */
export function createChartMachine(deps: ChartEffectDeps & { feedback: FaqFeedback }): ChangePhoneMachine {
  const { audit, feedback, handoff } = deps;
  const warn = deps.warn ?? (() => undefined);
  return changePhoneMachine.provide({
    actors: { effects: effectsActor(createChartEffects(deps)) },
    actions: {
      recordFeedback: (_, params: { faqId: string; helpful: boolean; conversationId: string }) => {
        feedback.record(params).catch((error: unknown) => warn('feedback not recorded', { error: String(error) }));
      },
      recordRating: (_, params: { ticket: string; stars: number; conversationId: string }) => {
        Promise.all([
          handoff.queue.rate(params.ticket, params.stars),
          audit.record('handoff.rated', params.conversationId, { ticket: params.ticket, stars: params.stars }),
        ]).catch((error: unknown) => warn('rating not recorded', { error: String(error) }));
      },
    },
  });
}
