import type { TurnContext } from 'botbuilder';
import { StoreUnavailableError } from '../services/platform/storeUnavailable';
import { LockTimeoutError } from '../services/platform/turnLock';
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
 * was not saved, so the conversation resumes from its last good step. It cannot throw itself: the
 * activity may be anything, and every step is guarded.
 */
export function createTurnErrorHandler(services: Pick<Services, 'logger' | 'localeOf' | 'render'>) {
  const { logger } = services;
  return async (context: TurnContext, error: unknown): Promise<void> => {
    const activity: Partial<TurnContext['activity']> = context?.activity ?? {};
    const err = error instanceof Error ? error : new Error(typeof error === 'string' ? error : 'non-error thrown');
    try {
      // The error's name and message (the logger masks any number in it); the stack only at debug.
      logger.error('turn failed', {
        error: err.name,
        message: err.message,
        channel: typeof activity.channelId === 'string' ? activity.channelId : undefined,
        activityType: typeof activity.type === 'string' ? activity.type : undefined,
      });
      logger.debug('turn failed: stack', { stack: err.stack });
    } catch {
      // A logger that fails must not stop the apology.
    }
    try {
      const locale = services.localeOf(activity.locale);
      const key = isStoreUnavailable(err) ? 'error.unavailable' : 'error.turn';
      await context.sendActivity({
        type: 'message',
        text: services.render(locale, key),
        textFormat: 'plain',
        locale,
        channelData: { key },
      });
    } catch (sendError) {
      try {
        logger.error('could not send the apology', { error: sendError instanceof Error ? sendError.name : 'unknown' });
      } catch {
        // Nothing more can be done; the request is still answered by the adapter.
      }
    }
  };
}
