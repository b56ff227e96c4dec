import { ActionTypes, ActivityTypes, InputHints, type Activity, type CardAction } from 'botbuilder';
import type { ActedIntent, HandoffChannelData, Reply } from '../dialogs/types';
import type { Locale } from '../domain/locale';

export type RenderText = (locale: Locale, key: string, params?: Record<string, string | number>) => string;

/**
 * The metadata clients rely on, on every reply. Field names are a stable interface (README).
 */
export interface ReplyChannelData {
  /** The message key: what was said, independent of wording and language. */
  key: string;
  /** What the bot acted on, on replies to a customer's message. */
  intent?: ActedIntent;
  expecting?: Reply['expecting'];
  otpTarget?: Reply['otpTarget'];
  outcome?: Reply['outcome'];
  faqId?: string;
  /** Why an answer was refused, or why an account cannot go on. */
  reason?: string;
  /** With an `otp` question: seconds until a new code may be asked for. */
  resendAfterSeconds?: number;
  /** With `reason: "rateLimited"`: seconds until the customer may try again. */
  retryAfterSeconds?: number;
  /** On the replies of a handoff: where the customer stands with people (queue place, agent). */
  handoff?: HandoffChannelData;
}

/** Renders the chart's replies as activities in the customer's language. Pure. */
export function renderReplies(
  replies: Reply[],
  options: { locale: Locale; render: RenderText; intent?: ActedIntent; faqId?: string },
): Partial<Activity>[] {
  const { locale, render, intent } = options;
  return replies.map((reply) => {
    const data = reply.data ?? {};
    const channelData: ReplyChannelData = {
      key: reply.key,
      ...(intent ? { intent } : {}),
      ...(reply.expecting ? { expecting: reply.expecting } : {}),
      ...(reply.otpTarget ? { otpTarget: reply.otpTarget } : {}),
      ...(reply.outcome ? { outcome: reply.outcome } : {}),
      ...(data.faqId ? { faqId: data.faqId } : {}),
      ...(data.reason ? { reason: data.reason } : {}),
      ...(data.resendAfterSeconds ? { resendAfterSeconds: Number(data.resendAfterSeconds) } : {}),
      ...(data.retryAfterSeconds ? { retryAfterSeconds: Number(data.retryAfterSeconds) } : {}),
      ...(reply.handoff ? { handoff: reply.handoff } : {}),
    };
    const text = [
      render(locale, reply.key, reply.params),
      ...(reply.lines ?? []).map((line) => render(locale, line.key, line.params)),
    ].join('\n');
    const activity: Partial<Activity> = {
      type: ActivityTypes.Message,
      text,
      // Plain text: as Markdown, masked numbers such as 138****8000 would turn bold and lose digits.
      textFormat: 'plain',
      locale,
      inputHint: reply.expecting ? InputHints.ExpectingInput : InputHints.AcceptingInput,
      channelData,
    };
    // Topics first (they answer the question asked), then the buttons; typing a label does the same.
    const labels = [
      ...(reply.topics ?? []).map((id) => render(locale, `faqTitle.${id}`)),
      ...(reply.buttons ?? []).map((name) => render(locale, `button.${name}`)),
    ];
    if (labels.length > 0) {
      const actions: CardAction[] = labels.map((label) => ({ type: ActionTypes.ImBack, title: label, value: label }));
      activity.suggestedActions = { to: [], actions };
    }
    return activity;
  });
}
