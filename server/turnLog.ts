import type { Activity, Middleware, TurnContext } from 'botbuilder';
import { conversationKey } from '../bot/RebindBot';
import { conversationHash } from '../services/funnel';
import type { Logger } from '../services/platform/log';

/**
 * Logs every turn the adapter runs. At debug: each incoming activity (type, channel, conversation
 * hash, activity id, event name, and a message's text with every number masked by the logger) and
 * each outgoing one (type and message key, never its text), and a `turn end` line with how long
 * the whole turn took and how many activities it sent. (At info, the bot's own `turn` line says what
 * a turn did: state, intent, message keys.)
 */
export function turnLogMiddleware(logger: Logger, { clock = Date.now }: { clock?: () => number } = {}): Middleware {
  // Every line here is at debug: below it, a turn would only hash and build what is never written.
  if (logger.enabled?.('debug') === false) return { onTurn: (_context, next) => next() };
  return {
    async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
      const started = clock();
      const { activity } = context;
      const conversation = activity.conversation?.id ? conversationHash(conversationKey(activity)) : undefined;
      logger.debug('activity in', {
        type: activity.type,
        channel: activity.channelId,
        conversation,
        activity: activity.id,
        ...(activity.type === 'event' ? { name: activity.name } : {}),
        // The logger masks every card, ID and phone number and any code in it.
        ...(activity.type === 'message' && typeof activity.text === 'string' ? { said: activity.text } : {}),
      });
      let replies = 0;
      context.onSendActivities(async (_ctx, activities: Partial<Activity>[], sendNext) => {
        replies += activities.length;
        for (const sent of activities) {
          const key: unknown = (sent.channelData as { key?: unknown } | undefined)?.key;
          logger.debug('activity out', { type: sent.type, conversation, key: typeof key === 'string' ? key : undefined });
        }
        return sendNext();
      });
      let failed = false;
      try {
        await next();
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        logger.debug('turn end', {
          conversation,
          type: activity.type,
          ms: clock() - started,
          replies,
          ...(failed ? { failed } : {}),
        });
      }
    },
  };
}
