import type { TurnContext } from 'botbuilder';
import type { Services } from './createServices';

/**
 * Errors that mean the shared store (Redis) or the conversation's lock could not be reached: the turn
 * failed closed, nothing was done, and the customer may simply send the message again.
 */
export function isStoreUnavailable(error: unknown): boolean {
  const e = error as { name?: unknown; message?: unknown } | undefined;
  const name = typeof e?.name === 'string' ? e.name : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  return (
    ['StoreUnavailableError', 'LockTimeoutError', 'MaxRetriesPerRequestError'].includes(name) ||
    /enableOfflineQueue|Connection is closed|ECONNREFUSED|Command timed out|Stream isn't writeable/i.test(message)
  );
}

/**
 * The unexpected: log it (no customer text), apologise in the customer's language, carry on. State
 * was not saved, so the conversation resumes from its last good step.
 */
export function createTurnErrorHandler(services: Pick<Services, 'logger' | 'localeOf' | 'render'>) {
  const { logger } = services;
  return async (context: TurnContext, error: Error): Promise<void> => {
    // The error's name and message (the logger masks any number in it); the stack only at debug.
    logger.error('turn failed', {
      error: error.name,
      message: error.message,
      channel: context.activity.channelId,
      activityType: context.activity.type,
    });
    logger.debug('turn failed: stack', { stack: error.stack });
    const locale = services.localeOf(context.activity.locale);
    const key = isStoreUnavailable(error) ? 'error.unavailable' : 'error.turn';
    try {
      await context.sendActivity({
        type: 'message',
        text: services.render(locale, key),
        textFormat: 'plain',
        locale,
        channelData: { key },
      });
    } catch (sendError) {
      logger.error('could not send the apology', { error: String(sendError) });
    }
  };
}
