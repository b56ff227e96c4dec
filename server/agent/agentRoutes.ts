import { join } from 'node:path';
import type * as restify from 'restify';
import { QueueError, type QueueErrorCode, type QueueEvent } from '../../services/handoff';
import type { Agent } from '../../services/handoff/agents';
import { conversationIdFrom, forgetConversation } from '../../services/transcripts/forgetConversation';
import type { Services } from '../createServices';
import type { ErrorShape } from '../httpErrors';
import { queryParam } from '../requestTarget';
import { CONSOLE_PAGE_HEADERS } from '../securityHeaders';
import { sendFile, WEB } from '../staticFiles';
import { eventFor, snapshotFor } from './agentView';
import { createSignInBrake, type SignInBrake } from './signInBrake';
import { openEventStream, type EventStream } from './sse';
import { createStreamTokens, type StreamTokens } from './streamTokens';

type Req = restify.Request;
type Res = restify.Response;

export interface AgentConsoleOptions {
  server: restify.Server;
  services: Pick<Services, 'queue' | 'agents' | 'presence' | 'audit' | 'logger' | 'clock' | 'transcripts' | 'mark' | 'durable'>;
  /** `: ping` on every event stream this often. */
  heartbeatMs?: number;
  streamTokens?: StreamTokens;
  brake?: SignInBrake;
  /** Event streams one agent may hold open; opening one more ends the oldest. */
  maxStreamsPerAgent?: number;
}

export interface AgentConsole {
  /** Ends every open event stream and refuses new ones (the server is stopping). */
  close(): void;
  /** Event streams open now. */
  readonly streams: number;
}

const API = '/agent/api';
const AGENT_DIR = join(WEB, 'agent');

/** The only files under /agent/static/ (no path is ever joined from the URL). */
const ASSETS = ['console.js', 'console.css'] as const;

const RESOLUTIONS = new Set(['resolved', 'noAnswer', 'transferred', 'other']);
const MAX_MESSAGE = 2000;
const MAX_NOTE = 500;
const MAX_ID = 64;

/** An API refusal: the status and the `{ error: { code, message } }` the console reads. */
class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const QUEUE_ERRORS: Record<QueueErrorCode, [number, string]> = {
  unknownTicket: [404, 'No such ticket.'],
  ticketEnded: [409, 'The conversation has ended.'],
  notClaimed: [409, 'Nobody has claimed this ticket yet.'],
  notHolder: [403, 'Another agent holds this ticket.'],
  unknownCallback: [404, 'No such callback request.'],
  callbackDone: [409, 'This callback request is already done.'],
};

function fromQueueError(err: QueueError): ApiError {
  const [status, message] = QUEUE_ERRORS[err.code];
  return new ApiError(status, err.code, message);
}

/** What restify's own refusals (bad JSON, body too large, no route) become under /agent/api. */
const ROUTER_ERRORS: Record<number, [string, string]> = {
  400: ['badRequest', 'The request body is not valid JSON.'],
  404: ['notFound', 'No such API route.'],
  405: ['methodNotAllowed', 'Method not allowed.'],
  413: ['tooLarge', 'The request body is too large.'],
  415: ['badRequest', 'Unsupported content type.'],
};

/** How the server words its own refusals under /agent/api (bad JSON, too large, no route, a failure). */
export const AGENT_API_ERRORS: ErrorShape = {
  prefix: API,
  shape(status) {
    const [code, message] = ROUTER_ERRORS[status] ?? (status >= 500 ? ['serverError', 'Something went wrong.'] : ['badRequest', 'The request was refused.']);
    return { code, message };
  },
  headers: { 'cache-control': 'no-store' },
};

const CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g;
const CONTROL_ALL = /[\u0000-\u001F\u007F-\u009F]/g;

/** An agent's reply as stored: no control characters but new lines, trimmed, 1–2000 characters. */
export function cleanMessage(text: unknown): string {
  if (typeof text !== 'string') throw new ApiError(400, 'badRequest', '`text` must be a string.');
  const clean = text.replace(/\r\n?/g, '\n').replace(CONTROL, '').trim();
  if (clean === '') throw new ApiError(400, 'emptyMessage', 'The message is empty.');
  if (clean.length > MAX_MESSAGE) throw new ApiError(400, 'tooLong', `At most ${MAX_MESSAGE} characters.`);
  return clean;
}

/** The stored resolution: `resolved`, or `resolved: <note>` (the note on one line, ≤ 500 characters). */
export function resolutionText(resolution: unknown, note: unknown): string {
  if (typeof resolution !== 'string' || !RESOLUTIONS.has(resolution)) {
    throw new ApiError(400, 'badResolution', `resolution must be one of ${[...RESOLUTIONS].join(', ')}.`);
  }
  if (note !== undefined && note !== null && typeof note !== 'string') {
    throw new ApiError(400, 'badRequest', '`note` must be a string.');
  }
  const clean = (note ?? '').replace(CONTROL_ALL, ' ').trim();
  if (clean.length > MAX_NOTE) throw new ApiError(400, 'tooLong', `The note has at most ${MAX_NOTE} characters.`);
  return clean === '' ? resolution : `${resolution}: ${clean}`;
}

/** A JSON object body, or 400 (a string, an array, a form, nothing at all). */
function jsonBody(req: Req): Record<string, unknown> {
  const type = String(req.headers['content-type'] ?? '');
  const body: unknown = req.body;
  if (
    !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type) ||
    typeof body !== 'object' ||
    body === null ||
    Array.isArray(body) ||
    Buffer.isBuffer(body)
  ) {
    throw new ApiError(400, 'badRequest', 'Send a JSON object (content-type: application/json).');
  }
  return body as Record<string, unknown>;
}

/** A path parameter (ticket or callback id); anything implausible is simply not found. */
function idParam(req: Req, name: string, notFound: 'unknownTicket' | 'unknownCallback'): string {
  const value: unknown = req.params?.[name];
  if (typeof value !== 'string' || value === '' || value.length > MAX_ID) {
    throw fromQueueError(new QueueError(notFound, ''));
  }
  return value;
}

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return m?.[1];
}

function send(res: Res, status: number, body: object): void {
  res.header('cache-control', 'no-store');
  res.send(status, body);
}

function refuse(res: Res, err: ApiError): void {
  send(res, err.status, { error: { code: err.code, message: err.message } });
}

/**
 * The human-agent console: the page at /agent (and its two assets) and its JSON API under
 * /agent/api: sign-in with a bearer token, a live event stream (SSE), claim, reply, close, hand back,
 * callbacks. Returns a handle whose `close()` ends the event streams, which would otherwise keep the
 * server from stopping.
 */
export function mountAgentConsole({
  server,
  services,
  heartbeatMs = 15_000,
  streamTokens = createStreamTokens({ clock: services.clock }),
  brake = createSignInBrake({ clock: services.clock }),
  maxStreamsPerAgent = 10,
}: AgentConsoleOptions): AgentConsole {
  const { queue, agents, presence, audit, logger, transcripts } = services;
  const streams = new Set<{ agentId: string; stream: EventStream }>();
  let closing = false;

  // ---- The page ----------------------------------------------------------------------------------
  const page = async (_req: Req, res: Res) => {
    // Its own scripts and styles only, never framed, never cached, no referrer.
    await sendFile(res, join(AGENT_DIR, 'index.html'), 0, CONSOLE_PAGE_HEADERS);
  };
  server.get('/agent', page);
  server.get('/agent/', page);
  for (const asset of ASSETS) {
    server.get(`/agent/static/${asset}`, async (_req: Req, res: Res) => {
      await sendFile(res, join(AGENT_DIR, asset), 0, { 'cache-control': 'no-cache' });
    });
  }

  // ---- Authentication ----------------------------------------------------------------------------
  /** Behind a proxy this is the proxy's address: the brake then covers everyone behind it. */
  const addressOf = (req: Req) => req.socket?.remoteAddress ?? 'unknown';

  /** The agent the bearer token belongs to; otherwise the refusal is sent and undefined returned. */
  const authenticate = (req: Req, res: Res): Agent | undefined => {
    const address = addressOf(req);
    const wait = brake.blockedFor(address);
    if (wait > 0) {
      res.header('retry-after', String(Math.ceil(wait / 1000)));
      refuse(res, new ApiError(429, 'tooManyAttempts', 'Too many failed sign-ins. Try again later.'));
      return undefined;
    }
    const token = bearer(req.headers.authorization);
    const agent = agents.authenticate(token);
    if (agent === undefined) {
      if (token !== undefined) brake.failed(address);
      res.header('www-authenticate', 'Bearer');
      refuse(res, new ApiError(401, 'unauthorized', 'Sign in with a valid agent token.'));
    }
    return agent;
  };

  /** A JSON route for a signed-in agent: `handle` returns the 200 body or throws a refusal. */
  const api =
    (handle: (req: Req, agent: Agent) => object | Promise<object>) =>
    async (req: Req, res: Res): Promise<void> => {
      const agent = authenticate(req, res);
      if (agent === undefined) return;
      try {
        const since = services.mark();
        const body = await handle(req, agent);
        // What the agent did is on disk before the console is told it was done.
        await services.durable(since);
        send(res, 200, body);
      } catch (err) {
        if (err instanceof ApiError) refuse(res, err);
        else if (err instanceof QueueError) refuse(res, fromQueueError(err));
        else {
          logger.error('agent api failed', { route: req.getRoute?.()?.path, error: String(err) });
          refuse(res, new ApiError(500, 'serverError', 'Something went wrong.'));
        }
      }
    };

  // ---- The API -----------------------------------------------------------------------------------
  server.post(
    `${API}/session`,
    api((_req, agent) => ({ agentId: agent.id, name: agent.name })),
  );

  // EventSource cannot send a header: the bearer token buys a one-use token for the stream's URL.
  server.post(
    `${API}/stream`,
    api((_req, agent) => ({ streamToken: streamTokens.issue(agent.id) })),
  );

  server.get(
    `${API}/state`,
    api((_req, agent) => snapshotFor(queue, presence, agent.id)),
  );

  server.get(`${API}/events`, (req: Req, res: Res, next: restify.Next): void => {
    const wanted = queryParam(req, 'stream');
    const agentId = streamTokens.redeem(wanted);
    if (closing) {
      refuse(res, new ApiError(503, 'unavailable', 'The server is stopping.'));
    } else if (agentId === undefined) {
      refuse(res, new ApiError(401, 'unauthorized', 'Ask POST /agent/api/stream for a fresh stream token.'));
    } else {
      openStream(req, res, agentId);
    }
    next();
  });

  function openStream(req: Req, res: Res, agentId: string): void {
    const stream = openEventStream(req, res, { heartbeatMs });
    // One agent, many tabs: fine, up to a point.
    const own = [...streams].filter((s) => s.agentId === agentId);
    for (const old of own.slice(0, Math.max(0, own.length - maxStreamsPerAgent + 1))) old.stream.end();
    const entry = { agentId, stream };
    streams.add(entry);

    // What to undo when the stream ends, however it ends (even half-way through this function).
    const undo: Array<() => void> = [];
    const hold = (off: () => void) => (stream.closed ? off() : undo.push(off));
    stream.onClose(() => {
      streams.delete(entry);
      for (const off of undo.splice(0)) off();
    });
    // Events are taken from the moment of subscribing, and sent after the snapshot: nothing is missed
    // while the snapshot is read.
    let held: QueueEvent[] | undefined = [];
    const forward = (event: QueueEvent) => {
      const view = eventFor(event, agentId);
      if (view !== undefined) stream.send(view.name, view.data);
    };
    try {
      hold(presence.enter(agentId));
      hold(queue.on((event) => (held ? held.push(event) : forward(event))));
      hold(presence.onChange((agentsOnline) => stream.send('agents', { agentsOnline })));
    } catch (error) {
      logger.error('agent event stream failed', { agentId, error: String(error) });
      stream.end();
      return;
    }
    snapshotFor(queue, presence, agentId).then(
      (snapshot) => {
        stream.send('snapshot', snapshot);
        const waiting = held ?? [];
        held = undefined;
        waiting.forEach(forward);
      },
      (error: unknown) => {
        logger.error('agent event stream failed', { agentId, error: String(error) });
        stream.end();
      },
    );
  }

  server.post(
    `${API}/tickets/:ticket/claim`,
    api(async (req, agent) => {
      const id = idParam(req, 'ticket', 'unknownTicket');
      const before = await queue.get(id);
      const result = await queue.claim(id, agent.id);
      if (!result.ok) {
        if (result.reason === 'unknown') throw fromQueueError(new QueueError('unknownTicket', id));
        throw result.reason === 'taken'
          ? new ApiError(409, 'taken', 'Another agent has taken this customer.')
          : new ApiError(409, 'notWaiting', 'This customer is no longer waiting.');
      }
      const again = before?.status === 'withAgent' && before.agentId === agent.id;
      if (!again) await audit.record('handoff.claimed', result.ticket.conversationId, { ticket: id, agent: agent.id });
      return { ticket: result.ticket };
    }),
  );

  server.post(
    `${API}/tickets/:ticket/messages`,
    api(async (req, agent) => {
      const id = idParam(req, 'ticket', 'unknownTicket');
      const text = cleanMessage(jsonBody(req).text);
      // The queue accepts lines for any open ticket: only its holder may speak on it.
      const ticket = await queue.get(id);
      if (ticket === undefined) throw fromQueueError(new QueueError('unknownTicket', id));
      if (ticket.status === 'waiting') throw fromQueueError(new QueueError('notClaimed', id));
      if (ticket.status !== 'withAgent') throw fromQueueError(new QueueError('ticketEnded', id));
      if (ticket.agentId !== agent.id) throw fromQueueError(new QueueError('notHolder', id));
      return { line: await queue.addLine(id, { from: 'agent', text }) };
    }),
  );

  server.post(
    `${API}/tickets/:ticket/close`,
    api(async (req, agent) => {
      const id = idParam(req, 'ticket', 'unknownTicket');
      const body = jsonBody(req);
      const resolution = resolutionText(body.resolution, body.note);
      const ticket = await queue.close(id, agent.id, resolution);
      await audit.record('handoff.closed', ticket.conversationId, {
        ticket: id,
        agent: agent.id,
        resolution: body.resolution as string,
      });
      return { ticket };
    }),
  );

  server.post(
    `${API}/tickets/:ticket/handback`,
    api(async (req, agent) => {
      const id = idParam(req, 'ticket', 'unknownTicket');
      const ticket = await queue.handBack(id, agent.id);
      await audit.record('handoff.returned', ticket.conversationId, { ticket: id, agent: agent.id });
      return { ticket };
    }),
  );

  server.post(
    `${API}/callbacks/:id/done`,
    api(async (req, agent) => ({
      callback: await queue.completeCallback(idParam(req, 'id', 'unknownCallback'), agent.id),
    })),
  );

  // Deletion on request: the conversation's transcript and the copies on its tickets (audited). The id
  // is the chart's (`<channel>/<conversation id>`, as tickets show it), URL-encoded as one segment.
  server.del(
    `${API}/conversations/:conversationId/transcript`,
    api(async (req, agent) => {
      const conversationId = conversationIdFrom(req.params?.conversationId);
      if (conversationId === undefined) {
        throw new ApiError(400, 'badConversationId', 'Name the conversation (its id, URL-encoded).');
      }
      const forgotten = await forgetConversation({ transcripts, queue, audit }, conversationId, {
        via: 'console',
        agentId: agent.id,
      });
      logger.info('transcript forgotten', { conversation: forgotten.conversation, agentId: agent.id, lines: forgotten.lines });
      return { deleted: forgotten.lines, tickets: forgotten.tickets };
    }),
  );

  return {
    close() {
      closing = true;
      for (const { stream } of [...streams]) stream.end();
    },
    get streams() {
      return streams.size;
    },
  };
}
