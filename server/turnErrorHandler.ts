import type { TurnContext } from 'botbuilder';
import { LockTimeoutError, StoreUnavailableError } from '../services/redis';
import type { Services } from './createServices';

/**
 * Errors that mean the shared store (Redis) or the conversation's lock could not be reached: the turn
 * failed closed, nothing was done, and the customer may simply send the message again.
 */
export function isStoreUnavailable(error: unknown): boolean {
  // Every Redis call goes through storeCall, which turns a store that cannot be reached into a
  // StoreUnavailableError; the turn lock throws LockTimeoutError when it cannot be had in time.
  return error instanceof StoreUnavailableError || error instanceof LockTimeoutError;
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
