/**
 * A Bot Framework client for one conversation at a time: posts activities with deliveryMode
 * "expectReplies" and returns the replies that come back in the HTTP response. Local mode only
 * (no app id): no token is sent.
 */
import { randomBytes } from 'node:crypto';
import type { Activity } from 'botbuilder';
import { joinActivity, messageActivity, type ChatLocale, type Conversation } from './render';

/** The bot could not be reached at all (not running, wrong port, DNS…). */
export class BotUnreachableError extends Error {
  constructor(readonly url: string, options?: { cause?: unknown }) {
    super(`cannot reach the bot at ${url}${reason(options?.cause)}: is it running (npm start)?`, options);
    this.name = 'BotUnreachableError';
  }
}

/** The bot answered, but not with 2xx. */
export class BotHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`the bot answered HTTP ${status}${body ? `: ${body.slice(0, 300)}` : ''}${hint(status)}`);
    this.name = 'BotHttpError';
  }
}

/** fetch fails with "fetch failed"; what went wrong is in its cause: `ECONNREFUSED`, `bad port`… */
function reason(cause: unknown): string {
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const why = inner?.code ?? inner?.message ?? (cause instanceof Error && cause.name === 'TimeoutError' ? 'timed out' : undefined);
  return typeof why === 'string' && why ? ` (${why})` : '';
}

function hint(status: number): string {
  if (status === 401 || status === 403) return ' (the bot has an app id set: this client speaks to local mode only)';
  if (status === 404) return ' (is the URL the bot\'s /api/messages?)';
  return '';
}

export interface ChatClient {
  readonly conversation: Conversation;
  /** Opens the conversation (a conversationUpdate): the bot's greeting. */
  join(): Promise<Partial<Activity>[]>;
  /** One message; the bot's replies to it. */
  send(text: string): Promise<Partial<Activity>[]>;
  /** A new conversation, opened: the bot's greeting. */
  restart(): Promise<Partial<Activity>[]>;
}

export interface ChatClientOptions {
  url: string;
  locale: ChatLocale;
  /** Injected in tests; the global fetch otherwise. */
  fetch?: typeof fetch;
  /** For each new conversation; random otherwise. */
  newId?: () => string;
  /** How long one turn may take (the bot may call the bank and an SMS gateway). */
  timeoutMs?: number;
}

export function createChatClient(options: ChatClientOptions): ChatClient {
  const doFetch = options.fetch ?? fetch;
  const newId = options.newId ?? (() => randomBytes(6).toString('hex'));
  let conversation: Conversation;
  let next = 0;
  const begin = () => {
    const id = newId();
    conversation = { id: `chat-${id}`, userId: `terminal-${id}`, locale: options.locale };
    next = 0;
  };
  begin();

  async function post(activity: Partial<Activity>): Promise<Partial<Activity>[]> {
    let res: Response;
    try {
      res = await doFetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (cause) {
      throw new BotUnreachableError(options.url, { cause });
    }
    const body = await res.text();
    if (res.status < 200 || res.status > 299) throw new BotHttpError(res.status, body);
    if (body.trim() === '') return [];
    try {
      return (JSON.parse(body) as { activities?: Partial<Activity>[] }).activities ?? [];
    } catch {
      throw new BotHttpError(res.status, `not JSON: ${body}`);
    }
  }

  const nextId = () => `${conversation.id}-${++next}`;
  return {
    get conversation() {
      return conversation;
    },
    join: () => post(joinActivity(conversation, nextId())),
    send: (text) => post(messageActivity(conversation, nextId(), text)),
    restart() {
      begin();
      return post(joinActivity(conversation, nextId()));
    },
  };
}
