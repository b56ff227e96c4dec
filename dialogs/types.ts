import type { ButtonName } from '../domain/buttonName';
import type { Expecting } from '../domain/expecting';
import type { HandoffReason } from '../domain/handoffReason';
import type { Intent } from '../domain/intent';
import type { Locale } from '../domain/locale';
import type { ChecksPassed, MaskedSummary } from '../domain/maskedSummary';
import type { OtpBinding } from '../domain/otpBinding';
import type { Outcome } from '../domain/outcome';
import type { IdType } from '../domain/validation/types';

/*
 * The chart's own types: its context, events, what it emits, its replies and the inputs and outputs of
 * the effects it names. The vocabulary it shares with services (Locale, Expecting, Intent, Outcome,
 * HandoffReason, ButtonName, MaskedSummary, OtpBinding, IdType, the Details a sentence holds) is
 * in domain/.
 */

/** What the bot acted on. Stable: sent as `channelData.intent` on the replies to each customer message. */
export type ActedIntent = 'changePhone' | 'faq' | 'handoff' | 'cancel' | 'greeting' | 'inform' | 'none';

/** One thing the bot says: a message key and its parameters; wording lives in content/. */
export interface Reply {
  key: string;
  params?: Record<string, string | number>;
  expecting?: Expecting;
  otpTarget?: 'old' | 'new';
  buttons?: ButtonName[];
  /** Knowledge-base topics offered as buttons (their titles are `faqTitle.<id>`). */
  topics?: string[];
  /** Further lines under the text, each a message of its own (e.g. the details noted). */
  lines?: Array<{ key: string; params?: Record<string, string | number> }>;
  outcome?: Outcome;
  /** Extra channelData, e.g. { faqId } or { reason }. */
  data?: Record<string, string>;
  /** Where the customer stands with people (sent as channelData.handoff, with position and wait). */
  handoff?: HandoffChannelData;
}

/** Stable: `channelData.handoff` on the replies of a handoff, for clients (the widget shows a banner). */
export interface HandoffChannelData {
  status: 'waiting' | 'withAgent' | 'ended' | 'left' | 'callback' | 'channel';
  ticket?: string;
  position?: number;
  waitMinutes?: number;
  /** On a message written by a person. */
  from?: 'agent';
  agentName?: string;
}

/** Events: facts, from the bot to the chart. */
export type ChartEvent =
  | { type: 'LOCALE_SET'; locale: Locale }
  | { type: 'JOINED' }
  | { type: 'SAID'; text: string; intent: Intent }
  /** A knowledge-base question the recogniser is sure about. */
  | { type: 'ASKED'; faqId: string }
  /** A question that could be one of a few topics. */
  | { type: 'ASKED_UNCLEARLY'; faqIds: string[] }
  | { type: 'FEEDBACK_GIVEN'; helpful: boolean }
  | { type: 'COMPLAINED' }
  /** The customer says their current number is in someone else's hands. */
  | { type: 'COMPROMISE_REPORTED' }
  | { type: 'CANCEL_REQUESTED' }
  | { type: 'RESTART_REQUESTED' }
  | { type: 'HELP_REQUESTED' }
  | { type: 'AGENT_REQUESTED' }
  // From the agent side, delivered as proactive turns; each names its ticket (stale ones are ignored).
  | { type: 'AGENT_JOINED'; ticket: string; agentName: string }
  | { type: 'AGENT_SAID'; ticket: string; agentName: string; text: string }
  | { type: 'QUEUE_MOVED'; ticket: string; position: number; waitMinutes: number }
  | { type: 'AGENT_LEFT'; ticket: string; how: 'closed' | 'returned' }
  /** A channel's own agent hub (HANDOFF_MODE=protocol) reporting on the handoff. */
  | { type: 'HANDOFF_STATUS'; state: 'accepted' | 'failed' | 'completed'; message?: string }
  /** An effect the chart asked for answered (from the chart's own `effects` actor, never from outside). */
  | EffectResult;

/** What the chart emits for the bot to send. */
export type ChartEmitted =
  | { type: 'reply'; reply: Reply }
  | { type: 'acted'; intent: ActedIntent; faqId?: string }
  /** HANDOFF_MODE=protocol: the bot sends the channel a `handoff.initiate` event with the transcript. */
  | { type: 'handoffInitiated'; ticket: string; reason: HandoffReason; context: MaskedSummary };

export interface ChartInput {
  conversationId: string;
}

export interface ChartContext {
  conversationId: string;
  locale: Locale;
  /** The question the bot is waiting on, if any. */
  expecting?: Expecting;
  /** Failed answers to the current question. */
  misses: number;
  /** Messages in a row the bot could not place, outside a flow. */
  fallbacks: number;
  /**
   * Code generations per number, bumped whenever a detail a code depends on changes: a code sent
   * for an older generation is void. `sent` says for which generation a live code was sent.
   */
  codes: { old: number; new: number; sentOld?: number; sentNew?: number };
  /** The customer said the current number still receives SMS. */
  reachable?: boolean;
  /**
   * The customer said the current number may be gone (stopped, lost): they are asked whether it
   * still receives SMS before a code is sent. Otherwise the first code goes at once.
   */
  oldPhoneDoubt?: boolean;
  /** The bank said the new number may be bound (not another customer's). */
  newPhoneFree?: boolean;
  /** The last knowledge-base answer given, for "was this helpful?". */
  lastFaqId?: string;
  /** Why a person was last offered; used when the customer takes the offer. */
  offeredHandoff?: HandoffReason;
  card?: string;
  idType?: IdType;
  /** Kept only until the identity check; then only the masked form stays. */
  idNumber?: string;
  oldPhone?: string;
  newPhone?: string;
  customerId?: string;
  cardId?: string;
  /** Which checks have passed, for a handoff's context. */
  passed: ChecksPassed;
  /** The verified code for the new number: the change's idempotency key is made from it. */
  newCodeId?: string;
  /** When a flow ends its details are dropped; this masked summary stays for a later handoff. */
  summary?: MaskedSummary;
  /** The conversation's handoff while people have it (queued, with an agent, or with the channel's hub). */
  handoff?: HandoffRecord;
  /** The ticket of the person who just helped, until the customer rates them (or goes on). */
  ratingFor?: string;
}

/** A handoff as the conversation keeps it; the queue's ticket has the transcript. */
export interface HandoffRecord {
  ticket: string;
  reason: HandoffReason;
  status: 'waiting' | 'withAgent' | 'channel';
  requestedAt: number;
  position?: number;
  waitMinutes?: number;
  agentName?: string;
}

// ---- Effects: named in the chart, implemented at the composition root -------------------------

export interface IdentityInput {
  conversationId: string;
  card: string;
  idType: IdType;
  idNumber: string;
  phone: string;
}
export type IdentityOutput =
  | { result: 'ok'; customerId: string; cardId: string }
  | { result: 'mismatch'; attemptsLeft: number }
  | { result: 'locked'; minutesLeft: number }
  /** Too many checks from this conversation, user, address or for this card (RATE_LIMIT_IDENTITY). */
  | { result: 'limited'; retryAfterSeconds: number }
  | { result: 'abnormal'; standing: 'customerFrozen' | 'cardFrozen' | 'cardLost' };

/** What a code is bound to: one conversation, one purpose, one number, one card, one generation. */
export type CodeBinding = OtpBinding;

export interface SendCodeInput extends CodeBinding {
  locale: Locale;
}
export type SendCodeOutput =
  | { result: 'sent'; ttlMinutes: number; resendSeconds: number }
  | { result: 'cooldown'; secondsLeft: number }
  | { result: 'capped'; minutesLeft: number }
  | { result: 'locked'; minutesLeft: number }
  /** Too many codes for this conversation, user, address or card (RATE_LIMIT_CODES). */
  | { result: 'limited'; retryAfterSeconds: number }
  | { result: 'smsFailed' };

export interface VerifyCodeInput extends CodeBinding {
  code: string;
}
export type VerifyCodeOutput =
  | { result: 'ok'; codeId: string }
  | { result: 'wrong'; attemptsLeft: number }
  | { result: 'expired' }
  | { result: 'noCode' }
  | { result: 'locked'; minutesLeft: number };

export interface CheckNewPhoneInput {
  customerId: string;
  phone: string;
}
export type CheckNewPhoneOutput = { result: 'ok' } | { result: 'taken' };

export interface ChangeBindingInput {
  conversationId: string;
  cardId: string;
  card: string;
  oldPhone: string;
  newPhone: string;
  idempotencyKey: string;
  locale: Locale;
}
export type ChangeBindingOutput = { result: 'changed' } | { result: 'conflict' };

export interface RequestAgentInput {
  conversationId: string;
  reason: HandoffReason;
  locale: Locale;
  context: MaskedSummary;
}
export type RequestAgentOutput =
  /** In the queue: its place and an estimate. */
  | { result: 'queued'; ticket: string; position: number; waitMinutes: number; requestedAt: number }
  /** The conversation already had a person. */
  | { result: 'withAgent'; ticket: string; agentName: string; requestedAt: number }
  /** Outside agent hours: when they open again (formatted for the customer), if ever. */
  | { result: 'closed'; opensAt?: string }
  /** HANDOFF_MODE=protocol: the channel's own agent hub takes the conversation. */
  | { result: 'channel'; ticket: string; requestedAt: number };

/** A customer's message for the person who has (or will have) the conversation. */
export interface RelayInput {
  ticket: string;
  text: string;
}
export type RelayOutput =
  | { status: 'waiting'; position: number; waitMinutes: number }
  | { status: 'withAgent'; agentName: string }
  /** The ticket ended meanwhile: the message reached nobody. */
  | { status: 'ended' };

export type LeaveQueueOutput = { result: 'left' } | { result: 'withAgent'; agentName: string } | { result: 'ended' };

export interface CallbackInput {
  conversationId: string;
  reason: HandoffReason;
  locale: Locale;
  context: MaskedSummary;
  preferredTime: string;
}
export interface CallbackOutput {
  id: string;
  /** As recorded (masked). */
  preferredTime: string;
}

export interface LeaveQueueInput {
  ticket: string;
  conversationId: string;
}

/**
 * The effects the chart asks for, by name: each takes its input and answers its output, or fails.
 * The chart never runs them itself: it sends a request to its `effects` actor (dialogs/changePhone/
 * effects.ts) and waits for the result event; the composition root provides the real ones
 * (server/chartEffects.ts), tests provide fakes.
 */
export interface ChartEffects {
  verifyIdentity(input: IdentityInput): Promise<IdentityOutput>;
  sendCode(input: SendCodeInput): Promise<SendCodeOutput>;
  verifyCode(input: VerifyCodeInput): Promise<VerifyCodeOutput>;
  checkNewPhone(input: CheckNewPhoneInput): Promise<CheckNewPhoneOutput>;
  changeBinding(input: ChangeBindingInput): Promise<ChangeBindingOutput>;
  requestAgent(input: RequestAgentInput): Promise<RequestAgentOutput>;
  relayToAgent(input: RelayInput): Promise<RelayOutput>;
  leaveQueue(input: LeaveQueueInput): Promise<LeaveQueueOutput>;
  requestCallback(input: CallbackInput): Promise<CallbackOutput>;
}

export type EffectName = keyof ChartEffects;
export type EffectInput<K extends EffectName> = Parameters<ChartEffects[K]>[0];
export type EffectOutput<K extends EffectName> = Awaited<ReturnType<ChartEffects[K]>>;

/** What a state asks of the `effects` actor as it is entered. */
export type EffectRequest = { [K in EffectName]: { effect: K; input: EffectInput<K> } }[EffectName];

/** An effect's answer, as the chart receives it from its `effects` actor. */
export type EffectResult =
  | { [K in EffectName]: { type: 'EFFECT_DONE'; effect: K; output: EffectOutput<K> } }[EffectName]
  | { type: 'EFFECT_FAILED'; effect: EffectName; error: unknown };
