import { CloudAdapter, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import type * as restify from 'restify';
import type { RebindBot } from '../bot/RebindBot';
import { readActivity } from '../bot/readActivity';
import type { Logger } from '../services/platform/log';
import { AuthenticationUnavailableError } from './botAuthentication';
import { HttpError } from './httpErrors';

/**
 * CloudAdapter with its activity processing open to our endpoint: `process(req, res)` would read the
 * body itself, throw before its own try for a bad activity, and answer 500 with the error's message.
 */
export class BotAdapter extends CloudAdapter {
  /** Authenticates and runs one turn; the answer for `expectReplies` and invokes, or undefined. */
  processIncoming(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

/**
 * `POST /api/messages`, the Bot Framework endpoint. The body is read defensively before the adapter
 * sees it (not an activity → 400); the token is checked by the adapter's (guarded) authentication
 * (→ 401, or 503 when the signing keys cannot be fetched); the turn runs; the answer is the adapter's
 * (200, or the replies with `expectReplies`). Nothing of an error reaches the caller but its status.
 */
export function mountBotEndpoint({
  server,
  adapter,
  bot,
  logger,
  stopping,
}: {
  server: restify.Server;
  adapter: BotAdapter;
  bot: RebindBot;
  logger: Logger;
  stopping: () => boolean;
}): void {
  server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
    if (stopping()) throw new HttpError(503, 'ShuttingDown', 'The bot is restarting; try again shortly.');
    const read = readActivity(req.body);
    if (!read.ok) throw new HttpError(400, 'BadArgument', read.message);
    const header = req.headers.authorization;
    const authHeader = typeof header === 'string' ? header : '';
    try {
      const response = await adapter.processIncoming(authHeader, read.activity as Activity, (context) => bot.run(context));
      res.send(response?.status ?? 200, response?.body);
    } catch (err) {
      if (err instanceof AuthenticationError) {
        res.header('www-authenticate', 'Bearer');
        throw new HttpError(401, 'Unauthorized', 'A valid Bot Framework token is required.');
      }
      if (err instanceof AuthenticationUnavailableError) {
        logger.warn('token check unavailable', { error: err.name, cause: err.cause instanceof Error ? err.cause.message : undefined });
        res.header('retry-after', '5');
        throw new HttpError(503, 'AuthenticationUnavailable', 'The token cannot be checked now; try again shortly.');
      }
      throw err; // the unexpected: logged and answered 500 without detail (httpErrors.ts)
    }
  });
}
