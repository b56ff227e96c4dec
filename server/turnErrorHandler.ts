import type { TurnContext } from 'botbuilder';
import type { Services } from './createServices';

/**
 * The unexpected: log it (no customer text), apologise in the customer's language, carry on. State
 * was not saved, so the conversation resumes from its last good step.
 */
export function createTurnErrorHandler(services: Pick<Services, 'logger' | 'localeOf' | 'render'>) {
  const { logger } = services;
  return async (context: TurnContext, error: Error): Promise<void> => {
    logger.error('turn failed', {
      error: error.message,
      stack: error.stack,
      channel: context.activity.channelId,
      activityType: context.activity.type,
    });
    const locale = services.localeOf(context.activity.locale);
    try {
      await context.sendActivity({
        type: 'message',
        text: services.render(locale, 'error.turn'),
        locale,
        channelData: { key: 'error.turn' },
      });
    } catch (sendError) {
      logger.error('could not send the apology', { error: String(sendError) });
    }
  };
}
