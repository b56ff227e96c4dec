import { ActivityTypes, type Activity } from 'botbuilder';
import type { Recognizer } from '../domain/recognizer';
import type { ChartEvent } from '../dialogs/types';
import type { Expecting } from '../domain/expecting';
import type { Locale } from '../domain/locale';

/**
 * How the customer's words are taken: `normal`; `limited` while waiting for a person or asked for a
 * call-back time (only cancel, restart and "a person" are commands, everything else is their answer);
 * `relay` with a person (everything goes to the person as it is).
 */
export type ListenMode = 'normal' | 'limited' | 'relay';

/**
 * Turns one incoming activity into the facts the chart understands. Pure: the recogniser is given.
 * Returns no events for activities the bot does not act on (typing, the bot's own join, …).
 */
export async function activityToEvents(
  activity: Partial<Activity>,
  recognizer: Recognizer,
  context: { locale: Locale; expecting?: Expecting; mode?: ListenMode },
): Promise<ChartEvent[]> {
  if (activity.type === ActivityTypes.ConversationUpdate) {
    const botId = activity.recipient?.id;
    const members: unknown[] = Array.isArray(activity.membersAdded) ? activity.membersAdded : [];
    const someoneJoined = members.some((m) => typeof m === 'object' && m !== null && (m as { id?: unknown }).id !== botId);
    return someoneJoined ? [{ type: 'JOINED' }] : [];
  }
  if (activity.type === ActivityTypes.Event && activity.name === 'handoff.status') {
    const value = (typeof activity.value === 'object' && activity.value !== null ? activity.value : {}) as { state?: unknown; message?: unknown };
    const state = value.state;
    if (state !== 'accepted' && state !== 'failed' && state !== 'completed') return [];
    return [
      { type: 'HANDOFF_STATUS', state, ...(typeof value.message === 'string' ? { message: value.message.slice(0, 500) } : {}) },
    ];
  }
  if (activity.type !== ActivityTypes.Message) return [];

  const text = typeof activity.text === 'string' ? activity.text : '';
  if (context.mode === 'relay') return [{ type: 'SAID', text, intent: 'none' }];
  const { intent, faqId, candidates, helpful } = await recognizer.recognize(text, context);
  if (context.mode === 'limited') {
    if (intent === 'cancel') return [{ type: 'CANCEL_REQUESTED' }];
    if (intent === 'restart') return [{ type: 'RESTART_REQUESTED' }];
    if (intent === 'handoff') return [{ type: 'AGENT_REQUESTED' }];
    return [{ type: 'SAID', text, intent }];
  }
  switch (intent) {
    case 'cancel':
      return [{ type: 'CANCEL_REQUESTED' }];
    case 'restart':
      return [{ type: 'RESTART_REQUESTED' }];
    case 'help':
      return [{ type: 'HELP_REQUESTED' }];
    case 'handoff':
      return [{ type: 'AGENT_REQUESTED' }];
    case 'complaint':
      return [{ type: 'COMPLAINED' }];
    case 'compromised':
      return [{ type: 'COMPROMISE_REPORTED' }];
    case 'feedback':
      return [{ type: 'FEEDBACK_GIVEN', helpful: helpful === true }];
    case 'faq':
      return candidates && candidates.length > 1
        ? [{ type: 'ASKED_UNCLEARLY', faqIds: candidates }]
        : [{ type: 'ASKED', faqId: faqId ?? 'menu' }];
    default:
      return [{ type: 'SAID', text, intent }];
  }
}
