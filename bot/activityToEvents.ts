import { ActivityTypes, type Activity } from 'botbuilder';
import type { Recognizer } from '../dialogs/recognizer';
import type { ChartEvent, Expecting, Locale } from '../dialogs/types';

/**
 * Turns one incoming activity into the facts the chart understands. Pure: the recogniser is given.
 * Returns no events for activities the bot does not act on (typing, the bot's own join, …).
 */
export async function activityToEvents(
  activity: Partial<Activity>,
  recognizer: Recognizer,
  context: { locale: Locale; expecting?: Expecting },
): Promise<ChartEvent[]> {
  if (activity.type === ActivityTypes.ConversationUpdate) {
    const botId = activity.recipient?.id;
    const someoneJoined = (activity.membersAdded ?? []).some((m) => m.id !== botId);
    return someoneJoined ? [{ type: 'JOINED' }] : [];
  }
  if (activity.type !== ActivityTypes.Message) return [];

  const text = typeof activity.text === 'string' ? activity.text : '';
  const { intent, faqId, candidates, helpful } = await recognizer.recognize(text, context);
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
