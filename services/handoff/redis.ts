/**
 * The handoff queue on Redis, for several bot instances sharing one Redis: an agent connected to
 * instance A talks to a customer whose messages reach instance B. Same semantics, results and
 * QueueErrors as the SQLite queue (`queueContract.test.ts` runs the same scenarios on both).
 *
 * Every change is one Lua script: it checks, writes, and PUBLISHes the change's events, in order, on
 * `${prefix}handoff:events` as JSON `{ id, event }`. Redis runs a script alone, so no change is made
 * without its events being published nor published out of order, and `moved` describes the queue
 * right after its change (not as some later reader finds it). Every instance — the one that made the
 * change too — hears the events through its own `subscriber` connection, so all instances see the
 * same events, in the same order, with the same ids. Pub/sub keeps nothing: a subscriber that is
 * disconnected misses what is published meanwhile (ioredis resubscribes when it is back).
 *
 * Key layout (NS = `${prefix}handoff:`). One Redis, not Cluster: the scripts build key names from the
 * prefix instead of declaring them.
 *   NS seq                      INCR counter: insertion order (the tiebreak between equal times)
 *   NS ticket:<ticket>          hash: the ticket's fields; context is JSON text, numbers are JSON text
 *   NS ticket:<ticket>:transcript  list of JSON lines (masked before they get here)
 *   NS waiting                  zset of waiting tickets: score requestedAt, member `<seq, 16 digits>:<ticket>`
 *   NS agent:<agentId>          zset of the agent's withAgent tickets: score claimedAt, same members
 *   NS open                     hash conversationId → its waiting or withAgent ticket
 *   NS callback:<id>            hash: the callback's fields
 *   NS callbacks                zset of open callbacks: score requestedAt, member `<seq>:<id>`
 *   NS callbackOpen             hash conversationId → its open callback
 * Retention and deletion on request remove a ticket's `:transcript` list (the copy), never the ticket.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { Clock } from '../../domain/clock';
import { createLogger, type Logger } from '../platform/log';
import { maskDigitsInText } from '../../domain/mask';
import { whenReady } from '../platform/redisClient';
import { luaScript, type LuaScript } from '../platform/luaScript';
import { storeCall } from '../platform/storeCall';
import {
  QueueError,
  type Callback,
  type CancelResult,
  type ClaimResult,
  type Enqueued,
  type HandoffQueue,
  type QueueErrorCode,
  type QueueEvent,
  type QueueEventMeta,
  type QueueListener,
  type Ticket,
  type WaitingPosition,
  FIRST_IN_LINE,
} from './index';
import { maskLine, remaskSummary } from './masking';
import { newTicket as randomTicket } from './ticket';

export interface RedisHandoffQueueOptions {
  /** Runs the scripts. */
  redis: Redis;
  /**
   * A separate connection for the events (a connection in subscriber mode can run nothing else), e.g.
   * `redis.duplicate()`. The queue subscribes it to its channel; the caller owns and closes it.
   */
  subscriber: Redis;
  /** Put in front of every key and of the channel; queues with the same prefix share tickets and events. */
  prefix?: string;
  clock?: Clock;
  newTicket?: () => string;
  newId?: () => string;
  /** Minutes an agent takes per conversation, for wait estimates. */
  averageHandleMinutes?: number;
  /** Agents taking conversations now, for wait estimates (read at each estimate). */
  agentsOnline?: () => number;
  /** A listener threw: the others still hear the event, and the change stands. */
  onListenerError?: (error: unknown, event: QueueEvent) => void;
  logger?: Logger;
}

/**
 * `shutdown`, not `close`: `close(ticket, agentId, resolution)` already closes a ticket, and one name for
 * both would be an overload where a forgotten argument ends the whole queue.
 */
export type RedisHandoffQueue = HandoffQueue & {
  /**
   * Resolves once this instance hears the queue's events (its subscription is in place); events
   * published before then are not heard here. Changes wait for it by themselves; await it at start-up
   * so listeners miss nothing other instances do from then on.
   */
  ready(): Promise<void>;
  /** Stops hearing events and refuses further operations; the connections stay the caller's to close. */
  shutdown(): Promise<void>;
  /**
   * Resolves once every event published before the call has reached this instance's listeners
   * (Redis answers a subscriber's PING after the messages queued before it).
   */
  heard(): Promise<void>;
};

/** What every script starts with: the key names, and how tickets, `moved` and events become JSON. */
const PRELUDE = `
local NS = ARGV[1]
local NONCE = ARGV[2]
local AVG = tonumber(ARGV[3])
local AGENTS = tonumber(ARGV[4])
local SEQ = NS .. 'seq'
local WAITING = NS .. 'waiting'
local OPEN = NS .. 'open'
local CALLBACKS = NS .. 'callbacks'
local CALLBACK_OPEN = NS .. 'callbackOpen'
local CHANNEL = NS .. 'events'

local function ticketKey(t) return NS .. 'ticket:' .. t end
local function linesKey(t) return NS .. 'ticket:' .. t .. ':transcript' end
local function agentKey(a) return NS .. 'agent:' .. a end
local function callbackKey(id) return NS .. 'callback:' .. id end

-- Equal scores sort by member: the zero-padded insertion number first gives SQLite's (time, seq) order.
local function member(seq, id) return string.format('%016d', tonumber(seq)) .. ':' .. id end
local function idOf(m) return string.sub(m, 18) end
local function ticketMember(t) return member(redis.call('HGET', ticketKey(t), 'seq'), t) end

local function str(s) return cjson.encode(s) end

-- JSON is assembled, not cjson-encoded from tables: cjson turns an empty array into {} and rounds
-- numbers, while the stored JSON fragments (context, lines, times) are copied exactly as written.
local function object(parts, optional)
  for i = 1, #optional, 3 do
    local name, value, raw = optional[i], optional[i + 1], optional[i + 2]
    if value then
      parts[#parts + 1] = ',"' .. name .. '":' .. (raw and value or str(value))
    end
  end
  return table.concat(parts) .. '}'
end

local function ticketJson(t)
  local h = redis.call('HMGET', ticketKey(t), 'ticket', 'conversationId', 'reason', 'locale', 'context',
    'requestedAt', 'status', 'agentId', 'claimedAt', 'closedAt', 'resolution', 'rating')
  if not h[1] then return nil end
  local lines = redis.call('LRANGE', linesKey(t), 0, -1)
  return object({ '{"ticket":', str(h[1]), ',"conversationId":', str(h[2]), ',"reason":', str(h[3]),
    ',"locale":', str(h[4]), ',"context":', h[5], ',"transcript":[', table.concat(lines, ','),
    '],"requestedAt":', h[6], ',"status":', str(h[7]) },
    { 'agentId', h[8], false, 'claimedAt', h[9], true, 'closedAt', h[10], true,
      'resolution', h[11], false, 'rating', h[12], true })
end

local function callbackJson(id)
  local h = redis.call('HMGET', callbackKey(id), 'id', 'conversationId', 'locale', 'reason', 'context',
    'preferredTime', 'requestedAt', 'status', 'doneBy', 'doneAt')
  if not h[1] then return nil end
  return object({ '{"id":', str(h[1]), ',"conversationId":', str(h[2]), ',"locale":', str(h[3]),
    ',"reason":', str(h[4]), ',"context":', h[5], ',"preferredTime":', str(h[6]),
    ',"requestedAt":', h[7], ',"status":', str(h[8]) },
    { 'doneBy', h[9], false, 'doneAt', h[10], true })
end

local function jsonList(ids, toJson)
  local out = {}
  for i, m in ipairs(ids) do out[i] = toJson(idOf(m)) end
  return '[' .. table.concat(out, ',') .. ']'
end

-- Every waiting ticket's place, as the queue is now; the same estimate as waitFor() in TypeScript.
local function movedJson()
  local out = {}
  for i, m in ipairs(redis.call('ZRANGE', WAITING, 0, -1)) do
    local t = idOf(m)
    out[i] = '{"ticket":' .. str(t) .. ',"conversationId":' .. str(redis.call('HGET', ticketKey(t), 'conversationId'))
      .. ',"position":' .. i .. ',"waitMinutes":' .. string.format('%d', math.ceil(i * AVG / AGENTS)) .. '}'
  end
  return '{"type":"moved","waiting":[' .. table.concat(out, ',') .. ']}'
end

local published = 0
local function publish(event)
  published = published + 1
  redis.call('PUBLISH', CHANNEL, '{"id":' .. str(NONCE .. '-' .. published) .. ',"event":' .. event .. '}')
end

local function refuse(code) return '{"error":' .. str(code) .. '}' end
`;

// Each change checks everything before its first write: a script that fails half-way keeps what it wrote.
/** The Lua test of ARGV[7] (the reason) for the reasons that go first. */
const FIRST_IN_LINE_LUA = [...FIRST_IN_LINE].map((reason) => `ARGV[7] == '${reason}'`).join(' or ') || 'false';
/** Taken off a first-in-line ticket's score (ms): more than any time this queue will see. */
const FIRST_OFFSET = 1e13;

const SCRIPTS = {
  // ARGV 5.. conversationId, ticket ('' to ask for one), reason, locale, context, requestedAt, line…
  enqueue: `
local conv, t, at = ARGV[5], ARGV[6], ARGV[10]
local open = redis.call('HGET', OPEN, conv)
if open then
  local status = redis.call('HGET', ticketKey(open), 'status')
  local rank = status == 'waiting' and redis.call('ZRANK', WAITING, ticketMember(open))
  return '{"ticket":' .. str(open) .. ',"status":' .. str(status) .. ',"position":' .. (rank and rank + 1 or 0)
    .. ',"created":false}'
end
if t == '' then return '{"ticket":null}' end
if redis.call('EXISTS', ticketKey(t)) == 1 then
  return redis.error_reply('handoff queue: ticket ' .. t .. ' already exists')
end
local seq = redis.call('INCR', SEQ)
redis.call('HSET', ticketKey(t), 'ticket', t, 'conversationId', conv, 'reason', ARGV[7], 'locale', ARGV[8],
  'context', ARGV[9], 'requestedAt', at, 'status', 'waiting', 'seq', seq)
for i = 11, #ARGV do redis.call('RPUSH', linesKey(t), ARGV[i]) end
-- Reasons that go first (FIRST_IN_LINE) sort before every other waiting ticket, in their own time order.
local score = tonumber(at)
if ${FIRST_IN_LINE_LUA} then score = score - ${FIRST_OFFSET} end
redis.call('ZADD', WAITING, score, member(seq, t))
redis.call('HSET', OPEN, conv, t)
publish('{"type":"queued","ticket":' .. ticketJson(t) .. '}')
publish(movedJson())
local rank = redis.call('ZRANK', WAITING, member(seq, t))
return '{"ticket":' .. str(t) .. ',"status":"waiting","position":' .. (rank + 1) .. ',"created":true}'
`,
  // ARGV 5.. ticket, agentId, now
  claim: `
local t, agent, now = ARGV[5], ARGV[6], ARGV[7]
local h = redis.call('HMGET', ticketKey(t), 'status', 'agentId', 'seq')
if not h[1] then return '{"ok":false,"reason":"unknown"}' end
if h[1] == 'waiting' then
  redis.call('HSET', ticketKey(t), 'status', 'withAgent', 'agentId', agent, 'claimedAt', now)
  redis.call('ZREM', WAITING, member(h[3], t))
  redis.call('ZADD', agentKey(agent), now, member(h[3], t))
  local ticket = ticketJson(t)
  publish('{"type":"claimed","ticket":' .. ticket .. '}')
  publish(movedJson())
  return '{"ok":true,"ticket":' .. ticket .. '}'
end
if h[1] == 'withAgent' and h[2] == agent then return '{"ok":true,"ticket":' .. ticketJson(t) .. '}' end
return '{"ok":false,"reason":' .. (h[1] == 'withAgent' and '"taken"' or '"notWaiting"') .. '}'
`,
  // ARGV 5.. ticket, line (JSON)
  addLine: `
local t, line = ARGV[5], ARGV[6]
local h = redis.call('HMGET', ticketKey(t), 'status', 'conversationId', 'agentId')
if not h[1] then return refuse('unknownTicket') end
if h[1] ~= 'waiting' and h[1] ~= 'withAgent' then return refuse('ticketEnded') end
redis.call('RPUSH', linesKey(t), line)
-- The holder is named once claimed (who may see the line); nobody while it waits.
local holder = (h[1] == 'withAgent' and h[3]) and (',"agentId":' .. str(h[3])) or ''
publish('{"type":"message","ticket":' .. str(t) .. ',"conversationId":' .. str(h[2]) .. holder
  .. ',"line":' .. line .. '}')
return '{}'
`,
  // ARGV 5.. ticket, agentId, 'closed' | 'returned', now, [resolution]
  end: `
local t, agent, status, now, resolution = ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local h = redis.call('HMGET', ticketKey(t), 'status', 'agentId', 'seq', 'conversationId')
if not h[1] then return refuse('unknownTicket') end
if h[1] == 'waiting' then return refuse('notClaimed') end
if h[1] ~= 'withAgent' then return refuse('ticketEnded') end
if h[2] ~= agent then return refuse('notHolder') end
redis.call('HSET', ticketKey(t), 'status', status, 'closedAt', now)
if resolution then redis.call('HSET', ticketKey(t), 'resolution', resolution) end
redis.call('ZREM', agentKey(agent), member(h[3], t))
if redis.call('HGET', OPEN, h[4]) == t then redis.call('HDEL', OPEN, h[4]) end
local ticket = ticketJson(t)
publish('{"type":' .. str(status) .. ',"ticket":' .. ticket .. '}')
return '{"ticket":' .. ticket .. '}'
`,
  // ARGV 5.. ticket, now
  cancel: `
local t, now = ARGV[5], ARGV[6]
local h = redis.call('HMGET', ticketKey(t), 'status', 'seq', 'conversationId')
if not h[1] then return '{"ok":false,"reason":"unknown"}' end
if h[1] ~= 'waiting' then return '{"ok":false,"reason":"notWaiting"}' end
redis.call('HSET', ticketKey(t), 'status', 'cancelled', 'closedAt', now)
redis.call('ZREM', WAITING, member(h[2], t))
if redis.call('HGET', OPEN, h[3]) == t then redis.call('HDEL', OPEN, h[3]) end
local ticket = ticketJson(t)
publish('{"type":"cancelled","ticket":' .. ticket .. '}')
publish(movedJson())
return '{"ok":true,"ticket":' .. ticket .. '}'
`,
  // ARGV 5.. conversationId, id ('' to ask for one), locale, reason, context, preferredTime, now
  requestCallback: `
local conv, id, now = ARGV[5], ARGV[6], ARGV[11]
local open = redis.call('HGET', CALLBACK_OPEN, conv)
if open then return callbackJson(open) end
if id == '' then return 'null' end
if redis.call('EXISTS', callbackKey(id)) == 1 then
  return redis.error_reply('handoff queue: callback ' .. id .. ' already exists')
end
local seq = redis.call('INCR', SEQ)
redis.call('HSET', callbackKey(id), 'id', id, 'conversationId', conv, 'locale', ARGV[7], 'reason', ARGV[8],
  'context', ARGV[9], 'preferredTime', ARGV[10], 'requestedAt', now, 'status', 'open', 'seq', seq)
redis.call('ZADD', CALLBACKS, now, member(seq, id))
redis.call('HSET', CALLBACK_OPEN, conv, id)
local callback = callbackJson(id)
publish('{"type":"callback","callback":' .. callback .. '}')
return callback
`,
  // ARGV 5.. id, agentId, now
  completeCallback: `
local id, agent, now = ARGV[5], ARGV[6], ARGV[7]
local h = redis.call('HMGET', callbackKey(id), 'status', 'seq', 'conversationId')
if not h[1] then return refuse('unknownCallback') end
if h[1] ~= 'open' then return refuse('callbackDone') end
redis.call('HSET', callbackKey(id), 'status', 'done', 'doneBy', agent, 'doneAt', now)
redis.call('ZREM', CALLBACKS, member(h[2], id))
if redis.call('HGET', CALLBACK_OPEN, h[3]) == id then redis.call('HDEL', CALLBACK_OPEN, h[3]) end
local callback = callbackJson(id)
publish('{"type":"callback","callback":' .. callback .. '}')
return callback
`,
  // ARGV 5.. ticket, stars (checked by the caller). The first rating of an ended ticket counts.
  rate: `
local h = redis.call('HMGET', ticketKey(ARGV[5]), 'status', 'rating')
if (h[1] ~= 'closed' and h[1] ~= 'returned') or h[2] then return 'false' end
redis.call('HSET', ticketKey(ARGV[5]), 'rating', ARGV[6])
return 'true'
`,
  // Reads are scripts too, so a list and the tickets in it are one consistent snapshot.
  get: `return ticketJson(ARGV[5]) or 'null'`,
  openFor: `
local t = redis.call('HGET', OPEN, ARGV[5])
return t and ticketJson(t) or 'null'
`,
  waiting: `return jsonList(redis.call('ZRANGE', WAITING, 0, -1), ticketJson)`,
  ofAgent: `return jsonList(redis.call('ZRANGE', agentKey(ARGV[5]), 0, -1), ticketJson)`,
  callbacks: `return jsonList(redis.call('ZRANGE', CALLBACKS, 0, -1), callbackJson)`,
  position: `
if redis.call('HGET', ticketKey(ARGV[5]), 'status') ~= 'waiting' then return '0' end
return tostring(redis.call('ZRANK', WAITING, ticketMember(ARGV[5])) + 1)
`,
  positions: `
local out = {}
for i, m in ipairs(redis.call('ZRANGE', WAITING, 0, -1)) do
  local t = idOf(m)
  out[i] = '[' .. str(t) .. ',' .. str(redis.call('HGET', ticketKey(t), 'conversationId')) .. ']'
end
return '[' .. table.concat(out, ',') .. ']'
`,
} as const;

type ScriptName = keyof typeof SCRIPTS;

/**
 * Transcript copies, for retention and deletion on request. Neither publishes events nor needs the
 * queue's order, so they run one ticket at a time over a SCAN of the `ticket:*:transcript` lists (only
 * tickets with a copy have one). KEYS: the ticket's lines, the ticket. Both return 1 if the copy went.
 */
const PURGE_TICKET_LINES = luaScript(`
local h = redis.call('HMGET', KEYS[2], 'status', 'closedAt')
local ended = h[1] == 'closed' or h[1] == 'returned' or h[1] == 'cancelled'
if ended and tonumber(h[2] or '') and tonumber(h[2]) < tonumber(ARGV[1]) then return redis.call('DEL', KEYS[1]) end
return 0
`);
const FORGET_TICKET_LINES = luaScript(`
if redis.call('HGET', KEYS[2], 'conversationId') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);
const TRANSCRIPT_SUFFIX = ':transcript';

const LUA = Object.fromEntries(
  Object.entries(SCRIPTS).map(([name, body]) => [name, luaScript(`${PRELUDE}\n${body}`)]),
) as Record<ScriptName, LuaScript>;

/**
 * Every instance hears every queue event (see above); the one that claims an event delivers it to the
 * customer: `SET <prefix>relay:<eventId> NX`, kept ten minutes. Resolves true for the one claim that won.
 */
export function createRedisDeliveryClaims({ redis, prefix }: { redis: Redis; prefix: string }) {
  return async (eventId: string): Promise<boolean> =>
    (await storeCall('relay claim', () => redis.set(`${prefix}relay:${eventId}`, '1', 'PX', 10 * 60_000, 'NX'))) === 'OK';
}

/** A time as stored: JSON number text, copied into tickets verbatim, so it must be a finite number. */
function stamp(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`handoff queue: not a time: ${String(ms)}`);
  return JSON.stringify(ms);
}

type Refusal = { error: QueueErrorCode };
const refused = (value: unknown): value is Refusal =>
  typeof value === 'object' && value !== null && 'error' in value;

export function createRedisHandoffQueue({
  redis,
  subscriber,
  prefix = 'rebind:',
  clock = Date.now,
  newTicket = () => randomTicket(),
  newId = () => randomUUID(),
  averageHandleMinutes = 5,
  agentsOnline = () => 1,
  logger = createLogger(),
  onListenerError = (error: unknown, event: QueueEvent) =>
    logger.error('handoff queue listener failed', { event: event.type, error: String(error) }),
}: RedisHandoffQueueOptions): RedisHandoffQueue {
  if (!(averageHandleMinutes > 0) || !Number.isFinite(averageHandleMinutes)) {
    throw new RangeError('averageHandleMinutes must be a positive number');
  }
  const ns = `${prefix}handoff:`;
  const channel = `${ns}events`;
  const listeners = new Set<QueueListener>();
  let closed = false;

  const agents = (): number => {
    const online = agentsOnline();
    return Number.isFinite(online) ? Math.max(1, Math.floor(online)) : 1;
  };
  const waitFor = (position: number, agentCount: number): number =>
    Math.ceil((position * averageHandleMinutes) / agentCount);

  const onMessage = (from: string, message: string) => {
    if (from !== channel) return;
    let parsed: { id: string; event: QueueEvent };
    try {
      parsed = JSON.parse(message) as { id: string; event: QueueEvent };
    } catch (error) {
      logger.error('handoff queue: unreadable event', { error: String(error) });
      return;
    }
    // Listeners run in subscription order; one that throws does not keep the event from the others.
    const meta: QueueEventMeta = Object.freeze({ id: parsed.id });
    for (const listener of [...listeners]) {
      try {
        listener(parsed.event, meta);
      } catch (error) {
        onListenerError(error, parsed.event);
      }
    }
  };
  subscriber.on('message', onMessage);

  // Changes wait for the subscription, so this instance's listeners hear its own events. A failed
  // attempt is forgotten and the next change tries again; once subscribed, ioredis resubscribes by
  // itself after a reconnect (events published while it is away are missed: pub/sub keeps nothing).
  let subscribing: Promise<void> | undefined;
  const subscribed = (): Promise<void> => {
    if (closed) return Promise.reject(new Error('handoff queue: closed'));
    subscribing ??= (async () => {
      // A lazy connection is started here; one that is connecting is awaited, as a connection without
      // an offline queue refuses commands until it is ready.
      if (subscriber.status === 'wait') await subscriber.connect();
      else if (subscriber.status !== 'ready') await whenReady(subscriber);
      await subscriber.subscribe(channel);
    })().catch((error: unknown) => {
      subscribing = undefined;
      throw error;
    });
    return subscribing;
  };
  subscribed().catch((error: unknown) =>
    logger.warn('handoff queue: not subscribed yet', { channel, error: String(error) }),
  );

  async function evaluate(name: ScriptName, head: Array<string | number>, args: Array<string | number>) {
    const reply = await storeCall(`handoff ${name}`, () => LUA[name].run(redis, [], [...head, ...args]));
    if (typeof reply !== 'string') throw new Error(`handoff queue: ${name} answered ${typeof reply}`);
    return JSON.parse(reply) as unknown;
  }

  const read = async (name: ScriptName, ...args: string[]) => {
    if (closed) throw new Error('handoff queue: closed');
    return evaluate(name, [ns, '', 1, 1], args);
  };
  /** Runs a change; `agentCount` is the one its `moved` event used (the caller's estimates use it too). */
  const change = async (name: ScriptName, args: string[], agentCount = agents()) => {
    await subscribed();
    // The script numbers its events under this nonce: ids unique across instances without a shared counter.
    const nonce = randomBytes(8).toString('hex');
    return evaluate(name, [ns, nonce, averageHandleMinutes, agentCount], args);
  };
  /** Runs `script` on every ticket that has a transcript copy; returns how many answered 1. */
  const eachTranscript = async (script: typeof PURGE_TICKET_LINES, arg: string): Promise<number> => {
    if (closed) throw new Error('handoff queue: closed');
    const pattern = `${ns.replace(/[*?[\]\\]/g, '\\$&')}ticket:*${TRANSCRIPT_SUFFIX}`;
    let cursor = '0';
    let count = 0;
    do {
      const [next, keys] = await storeCall('handoff transcripts', () => redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500));
      const replies = await Promise.all(
        keys.map((key) => script.run(redis, [key, key.slice(0, -TRANSCRIPT_SUFFIX.length)], [arg])),
      );
      count += replies.filter((reply) => reply === 1).length;
      cursor = next;
    } while (cursor !== '0');
    return count;
  };

  const orThrow = <T>(value: unknown, id: string): T => {
    if (refused(value)) throw new QueueError(value.error, id);
    return value as T;
  };

  const end = async (ticket: string, agentId: string, status: 'closed' | 'returned', resolution?: string) => {
    const args = [ticket, agentId, status, stamp(clock())];
    if (resolution !== undefined) args.push(resolution);
    return orThrow<{ ticket: Ticket }>(await change('end', args), ticket).ticket;
  };

  return {
    async enqueue({ conversationId, reason, locale, context, transcript = [] }): Promise<Enqueued> {
      const agentCount = agents();
      const rest = [
        reason,
        locale,
        JSON.stringify(remaskSummary(context)),
        stamp(clock()),
        ...transcript.map((line) => JSON.stringify(maskLine(line))),
      ];
      const attempt = async (ticket: string) =>
        (await change('enqueue', [conversationId, ticket, ...rest], agentCount)) as
          | Omit<Enqueued, 'waitMinutes'>
          | { ticket: null };
      // A ticket id is made only when one is needed (as SQLite does): first ask for the open ticket.
      let result = await attempt('');
      if (result.ticket === null) result = await attempt(newTicket());
      if (result.ticket === null) throw new Error('handoff queue: enqueue made no ticket');
      const { ticket, status, position, created } = result;
      return { ticket, status, position, waitMinutes: position > 0 ? waitFor(position, agentCount) : 0, created };
    },

    async position(ticket) {
      const position = (await read('position', ticket)) as number;
      return position === 0 ? undefined : { position, waitMinutes: waitFor(position, agents()) };
    },
    async positions(): Promise<WaitingPosition[]> {
      const waiting = (await read('positions')) as Array<[string, string]>;
      const agentCount = agents();
      return waiting.map(([ticket, conversationId], i) => ({
        ticket,
        conversationId,
        position: i + 1,
        waitMinutes: waitFor(i + 1, agentCount),
      }));
    },
    waiting: async () => (await read('waiting')) as Ticket[],
    ofAgent: async (agentId) => (await read('ofAgent', agentId)) as Ticket[],
    get: async (ticket) => ((await read('get', ticket)) as Ticket | null) ?? undefined,
    openFor: async (conversationId) => ((await read('openFor', conversationId)) as Ticket | null) ?? undefined,

    claim: async (ticket, agentId) => (await change('claim', [ticket, agentId, stamp(clock())])) as ClaimResult,

    async addLine(ticket, { from, text, at = clock() }) {
      const line = maskLine({ at, from, text });
      orThrow(await change('addLine', [ticket, JSON.stringify(line)]), ticket);
      return line;
    },

    close: (ticket, agentId, resolution) => end(ticket, agentId, 'closed', maskDigitsInText(resolution)),
    handBack: (ticket, agentId) => end(ticket, agentId, 'returned'),

    cancel: async (ticket) => (await change('cancel', [ticket, stamp(clock())])) as CancelResult,

    async requestCallback({ conversationId, locale, reason, context, preferredTime }) {
      const masked = [JSON.stringify(remaskSummary(context)), maskDigitsInText(preferredTime)];
      const rest = [locale, reason, ...masked, stamp(clock())];
      const attempt = async (id: string) =>
        (await change('requestCallback', [conversationId, id, ...rest])) as Callback | null;
      // As for tickets: an id is made only when the conversation has no open callback.
      const callback = (await attempt('')) ?? (await attempt(newId()));
      if (callback === null) throw new Error('handoff queue: requestCallback made no callback');
      return callback;
    },

    callbacks: async () => (await read('callbacks')) as Callback[],

    async completeCallback(id, agentId) {
      return orThrow<Callback>(await change('completeCallback', [id, agentId, stamp(clock())]), id);
    },

    async rate(ticket, stars) {
      if (!Number.isInteger(stars) || stars < 1 || stars > 5) return false;
      return (await change('rate', [ticket, String(stars)])) as boolean;
    },

    purgeTranscriptsBefore: async (cutoffMs) => eachTranscript(PURGE_TICKET_LINES, stamp(cutoffMs)),
    forgetTranscripts: async (conversationId) => eachTranscript(FORGET_TICKET_LINES, conversationId),

    on(listener) {
      // A wrapper, so the same function subscribed twice is two subscriptions, each undone on its own.
      const entry: QueueListener = (event, meta) => listener(event, meta);
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },

    ready: subscribed,

    async heard() {
      await subscribed();
      await subscriber.ping();
    },

    async shutdown() {
      if (closed) return;
      closed = true;
      listeners.clear();
      subscriber.off('message', onMessage);
      // Only our channel: the connection may carry other subscriptions, and it is the caller's to quit.
      if (subscriber.status === 'ready') await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}
