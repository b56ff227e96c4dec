import type { Activity, CloudAdapter } from 'botbuilder';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type * as restify from 'restify';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLIENT_IP, type RebindBot } from '../../bot/RebindBot';
import type { Logger } from '../../services/platform/log';
import { maskDigitsInText } from '../../domain/mask';
import type { DirectLineHub } from './hub';
import { isObject, readActivity } from '../../bot/readActivity';
import { decodePathSegment, queryParam, requestTarget } from '../requestTarget';
import { bearer, randomId, type TokenClaims, type TokenService } from './tokens';

export const BOT_ACCOUNT = { id: 'rebind', name: 'Rebind', role: 'bot' } as const;
const CHANNEL_ID = 'directline';
/** What a client may send: messages and events. Anything else is refused. */
const CLIENT_TYPES = new Set(['message', 'event']);
const MAX_TEXT = 100 * 1024;

export interface DirectLineOptions {
  server: restify.Server;
  adapter: CloudAdapter;
  bot: RebindBot;
  hub: DirectLineHub;
  tokens: TokenService;
  logger: Logger;
  /** Where the bot reaches this server (loopback), e.g. http://127.0.0.1:3978. */
  internalBase: () => string;
  /**
   * A secret path segment: the bot posts its replies to `/connector/<capability>/v3/…`. Nobody
   * else can, so nobody can put words in the bot's mouth.
   */
  capability: string;
  /** The customer's address (the browser talks to this server directly), for the per-IP limits. */
  clientIp: (req: restify.Request) => string | undefined;
}

type Req = restify.Request;
type Res = restify.Response;

/**
 * A local Direct Line 3.0: what Azure's Direct Line service does, on this server, for Web Chat and
 * `botframework-directlinejs`: tokens, conversations, activities with watermarks, a WebSocket
 * stream, and the connector endpoints the bot posts its replies to. Used in local mode (no app id).
 */
export function mountDirectLine(o: DirectLineOptions): void {
  const { server, hub, tokens } = o;
  const serviceUrl = () => `${o.internalBase()}/connector/${o.capability}`;

  /**
   * The claims of the request's token, when it opens the conversation in the path (if there is
   * one). Otherwise the request is refused with 403 and undefined is returned.
   */
  const allowed = (req: Req, res: Res): TokenClaims | undefined => {
    const claims = tokens.verify(bearer(req.headers.authorization));
    const inPath: string | undefined = req.params?.conversationId;
    if (claims && (inPath === undefined || claims.c === inPath)) return claims;
    refuse(res, 403, claims ? 'this token does not open that conversation' : 'invalid or expired token');
    return undefined;
  };
  const refuse = (res: Res, status: number, message: string): void => {
    res.send(status, { error: { code: status === 403 ? 'TokenInvalid' : 'BadArgument', message } });
  };

  /** What starting or reconnecting answers: the conversation, the same token, and its stream. */
  const conversationResponse = (req: Req, claims: TokenClaims) => {
    const token = bearer(req.headers.authorization) as string;
    const proto = req.headers['x-forwarded-proto'] === 'https' ? 'wss' : 'ws';
    const host = req.headers.host ?? '127.0.0.1';
    const id = encodeURIComponent(claims.c);
    return {
      conversationId: claims.c,
      token,
      expires_in: tokens.ttlSeconds,
      streamUrl: `${proto}://${host}/v3/directline/conversations/${id}/stream?t=${encodeURIComponent(token)}`,
    };
  };

  const runTurn = async (activity: Partial<Activity>, ip?: string) => {
    await o.adapter.processActivityDirect('', activity as Activity, (context) => {
      if (ip) context.turnState.set(CLIENT_IP, ip);
      return o.bot.run(context);
    });
  };

  const startConversation = async (claims: TokenClaims) => {
    hub.open(claims.c, claims.u);
    if (!hub.start(claims.c)) return;
    await runTurn({
      type: 'conversationUpdate',
      id: randomId(9),
      channelId: CHANNEL_ID,
      serviceUrl: serviceUrl(),
      timestamp: new Date(),
      locale: hub.localeOf(claims.c),
      conversation: { id: claims.c, isGroup: false, conversationType: 'personal', name: '' },
      from: { id: claims.u, name: '', role: 'user' },
      recipient: { ...BOT_ACCOUNT },
      membersAdded: [{ id: claims.u, name: '' }],
    });
  };

  // The page's token: a new conversation, for this browser only. No secret ever reaches the page.
  server.post('/api/directline/token', async (req: Req, res: Res) => {
    const body = (req.body ?? {}) as { locale?: unknown };
    const locale = typeof body.locale === 'string' && /^[a-zA-Z]{2}(-[a-zA-Z]{2})?$/.test(body.locale) ? body.locale : undefined;
    const conversationId = randomId();
    const userId = `dl_${randomId(9)}`;
    hub.open(conversationId, userId, locale);
    res.send(200, { token: tokens.issue(conversationId, userId), conversationId, expires_in: tokens.ttlSeconds });
  });

  server.post('/v3/directline/tokens/refresh', async (req: Req, res: Res) => {
    const claims = allowed(req, res);
    if (!claims) return;
    res.send(200, { token: tokens.issue(claims.c, claims.u), conversationId: claims.c, expires_in: tokens.ttlSeconds });
  });

  server.post('/v3/directline/conversations', async (req: Req, res: Res) => {
    const claims = allowed(req, res);
    if (!claims) return;
    await startConversation(claims);
    res.send(201, conversationResponse(req, claims));
  });

  server.get('/v3/directline/conversations/:conversationId', async (req: Req, res: Res) => {
    const claims = allowed(req, res);
    if (!claims) return;
    hub.open(claims.c, claims.u);
    res.send(200, conversationResponse(req, claims));
  });

  server.get('/v3/directline/conversations/:conversationId/activities', async (req: Req, res: Res) => {
    const claims = allowed(req, res);
    if (!claims) return;
    const watermark = queryParam(req, 'watermark');
    res.send(200, hub.since(claims.c, watermark));
  });

  server.post('/v3/directline/conversations/:conversationId/activities', async (req: Req, res: Res) => {
    const claims = allowed(req, res);
    if (!claims) return;
    // What the client sent, read defensively; the channel's own fields (ids, who, where) are ours.
    const read = readActivity(req.body, { conversation: false });
    if (!read.ok || !CLIENT_TYPES.has(read.activity.type as string)) {
      refuse(res, 400, 'unsupported activity');
      return;
    }
    const sent = read.activity;
    if (typeof sent.text === 'string' && sent.text.length > MAX_TEXT) {
      refuse(res, 400, 'text too long');
      return;
    }
    hub.open(claims.c, claims.u);
    const from = { id: claims.u, name: sent.from?.name ?? '', role: 'user' };
    const content: Partial<Activity> = {
      type: sent.type,
      ...pick(sent, ['text', 'textFormat', 'locale', 'channelData', 'value', 'name', 'attachments', 'entities', 'localTimezone']),
    };
    // The transcript keeps (and the page shows) the customer's numbers masked; the bot gets them whole.
    const id = hub.append(claims.c, {
      ...content,
      text: typeof sent.text === 'string' ? maskDigitsInText(sent.text) : undefined,
      from,
      channelId: CHANNEL_ID,
    });
    hub.signal(claims.c, { type: 'typing', from: { ...BOT_ACCOUNT }, channelId: CHANNEL_ID });
    try {
      await runTurn({
        ...content,
        id,
        channelId: CHANNEL_ID,
        serviceUrl: serviceUrl(),
        timestamp: new Date(),
        from,
        recipient: { ...BOT_ACCOUNT },
        conversation: { id: claims.c, isGroup: false, conversationType: 'personal', name: '' },
      }, o.clientIp(req));
    } catch (err) {
      o.logger.error('direct line turn failed', { error: String(err) });
      refuse(res, 502, 'the bot could not take the message');
      return;
    }
    res.send(200, { id });
  });

  // The bot's side: replies and proactive messages arrive here and go to the page at once.
  const fromBot = async (req: Req, res: Res) => {
    if (req.params.capability !== o.capability || !hub.has(req.params.conversationId)) {
      res.send(404, { error: { code: 'NotFound', message: 'no such conversation' } });
      return;
    }
    if (!isObject(req.body)) {
      refuse(res, 400, 'an activity is a JSON object');
      return;
    }
    const activity = req.body as Partial<Activity>;
    const id = hub.append(req.params.conversationId, { ...activity, from: { ...BOT_ACCOUNT }, channelId: CHANNEL_ID });
    res.send(200, { id });
  };
  server.post('/connector/:capability/v3/conversations/:conversationId/activities', fromBot);
  server.post('/connector/:capability/v3/conversations/:conversationId/activities/:replyToId', fromBot);

  // The WebSocket stream: `streamUrl` carries the token as `t` (as Azure's does).
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Everything here runs outside restify, so nothing may throw: a malformed target is refused, and a
    // socket the client drops (ECONNRESET) is not an unhandled 'error'.
    socket.on('error', () => socket.destroy());
    const target = requestTarget(req.url);
    const m = target && /^\/v3\/directline\/conversations\/([^/]+)\/stream$/.exec(target.path);
    const claims = tokens.verify(target?.query.get('t') ?? undefined);
    const conversationId = m ? decodePathSegment(m[1] as string) : undefined;
    if (!target || !m || !claims || conversationId === undefined || claims.c !== conversationId) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      hub.open(claims.c, claims.u);
      const send = (set: object) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(set));
      };
      const backlog = hub.since(claims.c, target.query.get('watermark') ?? undefined);
      if (backlog.activities.length > 0) send(backlog);
      const unsubscribe = hub.subscribe(claims.c, send);
      const ping = setInterval(() => ws.readyState === ws.OPEN && ws.ping(), 15_000);
      ws.on('close', () => {
        clearInterval(ping);
        unsubscribe();
      });
      ws.on('error', () => ws.close());
    });
  });
  server.server.on('close', () => {
    for (const client of wss.clients) client.terminate();
  });
}

/** The fields of `activity` named in `keys` that are present. */
function pick<K extends keyof Activity>(activity: Partial<Activity>, keys: readonly K[]): Partial<Pick<Activity, K>> {
  const out: Partial<Pick<Activity, K>> = {};
  for (const key of keys) if (activity[key] !== undefined) out[key] = activity[key];
  return out;
}
