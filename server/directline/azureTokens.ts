import type * as restify from 'restify';
import { z } from 'zod';
import type { Logger } from '../../services/platform/log';
import { HttpError } from '../httpErrors';
import { randomId } from './tokens';

/** What Azure's Direct Line answers to `POST …/tokens/generate`. */
const GENERATED = z.object({
  conversationId: z.string().min(1).max(512),
  token: z.string().min(1).max(8192),
  expires_in: z.number().int().positive(),
});

export interface AzureTokenOptions {
  server: restify.Server;
  /** The Direct Line channel's secret (DIRECT_LINE_SECRET): never sent to a page. */
  secret: string;
  /** Azure's Direct Line 3.0 base, e.g. https://directline.botframework.com/v3/directline (DIRECT_LINE_ENDPOINT). */
  endpoint: string;
  logger: Logger;
  timeoutMs?: number;
}

/**
 * The page's token when the bot is registered with Azure Bot Service: `POST /api/directline/token`
 * exchanges the channel's secret for a token of a new conversation at Azure's Direct Line (the page
 * never holds the secret), and says where Direct Line is (`domain`), which the widget then talks to.
 * Azure down or answering oddly: 503, and the widget offers to try again.
 */
export function mountAzureDirectLineTokens({ server, secret, endpoint, logger, timeoutMs = 5000 }: AzureTokenOptions): void {
  const base = endpoint.replace(/\/+$/, '');
  server.post('/api/directline/token', async (_req: restify.Request, res: restify.Response) => {
    let answer: z.infer<typeof GENERATED>;
    try {
      const response = await fetch(`${base}/tokens/generate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        // A user id of our own for the conversation: nothing the page sent.
        body: JSON.stringify({ user: { id: `dl_${randomId(9)}` } }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) throw new Error(`Direct Line answered ${response.status}`);
      answer = GENERATED.parse(await response.json());
    } catch (err) {
      logger.warn('direct line token not issued', { error: err instanceof Error ? err.name : 'unknown', message: err instanceof Error ? err.message : undefined });
      res.header('retry-after', '5');
      throw new HttpError(503, 'DirectLineUnavailable', 'The chat cannot start right now; try again shortly.');
    }
    res.header('cache-control', 'no-store');
    res.send(200, { token: answer.token, conversationId: answer.conversationId, expires_in: answer.expires_in, domain: base });
  });
}

/** The origins the widget page must be allowed to connect to for Azure's Direct Line (HTTPS and its WebSocket). */
export function directLineConnectSources(endpoint: string): string[] {
  const { protocol, host } = new URL(endpoint);
  return [`${protocol}//${host}`, `${protocol === 'http:' ? 'ws:' : 'wss:'}//${host}`];
}
