/**
 * One contract, two stores: the same asynchronous scenarios run on the SQLite queue (behind
 * `asyncQueue`) and on the Redis queue, so the app can use either without noticing.
 *
 * Redis delivers events through pub/sub, after the operation may have resolved: tests call
 * `settled()` before looking at events. For Redis it is a PING on the subscriber connection — Redis
 * writes a script's PUBLISHes to the subscribers before it answers the script, and answers a
 * connection in order, so once the PONG is back every earlier event has reached the listeners.
 * That makes "no event" assertions exact, with no sleeping.
 */
import Redis from 'ioredis';
import type { MaskedSummary } from '../../domain/maskedSummary';
import { testRedisUrl, uniquePrefix } from '../../tests/support/redis';
import { openDatabase } from '../platform/openDatabase';
import { asyncQueue, createSqliteHandoffQueue } from './sqlite';
import {
  QueueError,
  type HandoffQueue,
  type QueueErrorCode,
  type QueueEvent,
} from './index';
import { createLocalEventBus } from './localEventBus';
import { createRedisHandoffQueue, type RedisHandoffQueue } from './redis';
import { textsIn } from '../../tests/support/textsIn';

const T0 = Date.UTC(2026, 10, 28, 2, 0, 0);
const MIN = 60_000;
const CONTEXT: MaskedSummary = {
  card: '6222 **** **** 0128',
  oldPhone: '138****8000',
  passed: { identity: true, oldCode: false, newCode: false },
  stoppedAt: 'otp',
};
const CALLBACK = {
  locale: 'zh-CN',
  reason: 'oldPhoneUnreachable',
  context: CONTEXT,
  preferredTime: '明天上午',
} as const;
const ASK = { reason: 'customerRequest', locale: 'zh-CN', context: CONTEXT } as const;

interface Options {
  averageHandleMinutes?: number;
}

/** What a scenario needs from a store, whichever it is. */
interface Harness {
  queue: HandoffQueue;
  /** Events heard by a listener subscribed at the start, in order, and the ids they came with. */
  events: QueueEvent[];
  ids: string[];
  /** Listener errors reported by the queue, as [message, event type]. */
  failures: Array<[string, string]>;
  setNow(t: number): void;
  advance(ms: number): void;
  setAgents(n: number): void;
  enqueue(conversationId: string): ReturnType<HandoffQueue['enqueue']>;
  /** Resolves once the events of every change made so far have reached the listeners. */
  settled(): Promise<void>;
  /** Every string the store holds, JSON opened up (for the masking check). */
  stored(): Promise<string[]>;
}

interface Backend {
  name: string;
  make(options?: Options): Promise<Harness>;
}

/** Injected time, tickets, ids and agents: the same for every store, so results compare exactly. */
function controls() {
  const state = { now: T0, tickets: 0, ids: 0, agents: 1 };
  return {
    state,
    clock: () => state.now,
    newTicket: () => `T${++state.tickets}`,
    newId: () => `cb${++state.ids}`,
    agentsOnline: () => state.agents,
  };
}

function harness(
  queue: HandoffQueue,
  state: { now: number; agents: number },
  failures: Array<[string, string]>,
  settled: () => Promise<void>,
  stored: () => Promise<string[]>,
): Harness {
  const events: QueueEvent[] = [];
  const ids: string[] = [];
  queue.on((event, meta) => {
    events.push(event);
    ids.push(meta.id);
  });
  return {
    queue,
    events,
    ids,
    failures,
    setNow: (t) => (state.now = t),
    advance: (ms) => (state.now += ms),
    setAgents: (n) => (state.agents = n),
    enqueue: (conversationId) =>
      queue.enqueue({ ...ASK, conversationId }),
    settled,
    stored,
  };
}


/** Rejects instead of hanging when something never happens (a lost subscription, say). */
async function within<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A queue error's code, or 'none' when the operation succeeded. */
async function codeOf(operation: Promise<unknown>): Promise<QueueErrorCode | 'none'> {
  try {
    await operation;
  } catch (error) {
    if (error instanceof QueueError) return error.code;
    throw error;
  }
  return 'none';
}

const sqlite: Backend = {
  name: 'SQLite',
  async make(options = {}) {
    const { state, ...injected } = controls();
    const db = openDatabase(':memory:');
    const failures: Array<[string, string]> = [];
    const events = createLocalEventBus({ onListenerError: (e, event) => failures.push([String(e), event.type]) });
    const queue = asyncQueue(createSqliteHandoffQueue({ db, events, ...injected, ...options }));
    const stored = async () =>
      textsIn([
        ...db.prepare('SELECT * FROM handoff_tickets').all(),
        ...db.prepare('SELECT * FROM handoff_callbacks').all(),
      ]);
    // Events are published before the operation returns.
    return harness(queue, state, failures, async () => undefined, stored);
  },
};

/** Connections shared by the Redis scenarios; each scenario has a prefix (and so keys and channel) of its own. */
let redis: Redis | undefined;
let subscriber: Redis | undefined;
const opened: RedisHandoffQueue[] = [];

/**
 * Every value under a prefix. Redis keeps numbers as text: those (times, counters) are left out, and
 * sorted-set members lose their `<insertion number>:` head, so what remains compares with SQLite's text.
 */
async function dumpKeys(connection: Redis, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const key of await connection.keys(`${prefix}*`)) {
    const type = await connection.type(key);
    if (type === 'string') out.push((await connection.get(key)) ?? '');
    else if (type === 'hash') out.push(...Object.values(await connection.hgetall(key)));
    else if (type === 'list') out.push(...(await connection.lrange(key, 0, -1)));
    else if (type === 'zset') out.push(...(await connection.zrange(key, 0, -1)).map((m) => m.replace(/^\d{16}:/, '')));
    else throw new Error(`unexpected ${type} at ${key}`);
  }
  return out.filter((value) => !/^-?\d+(\.\d+)?$/.test(value));
}

const onRedis: Backend = {
  name: 'Redis',
  async make(options = {}) {
    redis ??= new Redis(testRedisUrl());
    subscriber ??= redis.duplicate();
    const [connection, sub] = [redis, subscriber];
    const { state, ...injected } = controls();
    const prefix = uniquePrefix('queue');
    const failures: Array<[string, string]> = [];
    const queue = createRedisHandoffQueue({
      redis: connection,
      subscriber: sub,
      prefix,
      onListenerError: (e, event) => failures.push([String(e), event.type]),
      ...injected,
      ...options,
    });
    opened.push(queue);
    const settled = async () => {
      await within(sub.ping(), 'the subscriber');
    };
    return harness(queue, state, failures, settled, async () => textsIn(await dumpKeys(connection, prefix)));
  },
};

// Each scenario's queue lets go of the shared subscriber when it is done.
afterEach(async () => {
  await Promise.all(opened.splice(0).map((q) => q.shutdown()));
});

afterAll(async () => {
  redis?.disconnect();
  subscriber?.disconnect();
});

describe.each([sqlite, onRedis])('handoff queue contract on $name', (backend) => {
  describe('order and positions', () => {
    it('orders waiting tickets by requestedAt, then by insertion', async () => {
      const { queue, enqueue, setNow } = await backend.make();
      // [conversation, requested at]: c1 asks last though inserted first; c2 and c3 tie.
      const arrivals: Array<[string, number]> = [
        ['c1', T0 + 2 * MIN],
        ['c2', T0],
        ['c3', T0],
        ['c4', T0 + MIN],
      ];
      for (const [c, at] of arrivals) {
        setNow(at);
        await enqueue(c);
      }
      expect((await queue.waiting()).map((t) => t.conversationId)).toEqual(['c2', 'c3', 'c4', 'c1']);
      expect(await queue.positions()).toEqual([
        { ticket: 'T2', conversationId: 'c2', position: 1, waitMinutes: 5 },
        { ticket: 'T3', conversationId: 'c3', position: 2, waitMinutes: 10 },
        { ticket: 'T4', conversationId: 'c4', position: 3, waitMinutes: 15 },
        { ticket: 'T1', conversationId: 'c1', position: 4, waitMinutes: 20 },
      ]);
      expect(await queue.position('T1')).toEqual({ position: 4, waitMinutes: 20 });
      expect(await queue.position('nope')).toBeUndefined();
    });

    it('puts a customer whose number is compromised first in line, behind earlier ones of the same reason', async () => {
      const { queue, enqueue, setNow } = await backend.make();
      setNow(T0);
      await enqueue('c1');
      setNow(T0 + MIN);
      await enqueue('c2');
      setNow(T0 + 2 * MIN);
      const first = await queue.enqueue({ ...ASK, conversationId: 'c3', reason: 'numberCompromised' });
      expect(first).toMatchObject({ ticket: 'T3', position: 1, created: true });
      setNow(T0 + 3 * MIN);
      expect(await queue.enqueue({ ...ASK, conversationId: 'c4', reason: 'numberCompromised' })).toMatchObject({ position: 2 });
      expect((await queue.waiting()).map((t) => t.conversationId)).toEqual(['c3', 'c4', 'c1', 'c2']);
      expect((await queue.positions()).map((p) => [p.conversationId, p.position])).toEqual([
        ['c3', 1],
        ['c4', 2],
        ['c1', 3],
        ['c2', 4],
      ]);
      // The ticket keeps the time it was asked for.
      expect((await queue.get('T3'))?.requestedAt).toBe(T0 + 2 * MIN);
    });

    it('enqueue answers the new ticket and its place', async () => {
      const { enqueue } = await backend.make();
      expect(await enqueue('c1')).toEqual({ ticket: 'T1', status: 'waiting', position: 1, waitMinutes: 5, created: true });
      expect(await enqueue('c2')).toEqual({ ticket: 'T2', status: 'waiting', position: 2, waitMinutes: 10, created: true });
    });

    it('stores the ticket with its context, transcript and time', async () => {
      const { queue, setNow } = await backend.make();
      setNow(T0 + 7);
      await queue.enqueue({
        conversationId: 'c1',
        reason: 'otpLocked',
        locale: 'en-US',
        context: CONTEXT,
        transcript: [
          { at: T0, from: 'customer', text: 'I want a person' },
          { at: T0 + 1, from: 'bot', text: '请稍等 "one" \\ moment /' },
        ],
      });
      const expected = {
        ticket: 'T1',
        conversationId: 'c1',
        reason: 'otpLocked',
        locale: 'en-US',
        context: CONTEXT,
        transcript: [
          { at: T0, from: 'customer', text: 'I want a person' },
          { at: T0 + 1, from: 'bot', text: '请稍等 "one" \\ moment /' },
        ],
        requestedAt: T0 + 7,
        status: 'waiting',
      };
      expect(await queue.get('T1')).toEqual(expected);
      expect(await queue.openFor('c1')).toEqual(expected);
      expect(await queue.get('T9')).toBeUndefined();
      expect(await queue.openFor('c9')).toBeUndefined();
    });

    it('an empty transcript stays an empty list', async () => {
      const { queue, enqueue } = await backend.make();
      await enqueue('c1');
      expect((await queue.get('T1'))?.transcript).toEqual([]);
    });

    // [agents online, average minutes, waits for positions 1..4]
    test.each<[number, number, number[]]>([
      [1, 5, [5, 10, 15, 20]],
      [3, 5, [2, 4, 5, 7]],
      [2, 4, [2, 4, 6, 8]],
      [2, 4.5, [3, 5, 7, 9]],
      [0, 5, [5, 10, 15, 20]], // nobody online counts as one: an estimate, not a promise
    ])('with %i agent(s) at %d min each, waits are %j (in answers and in moved)', async (agents, average, waits) => {
      const { queue, enqueue, setAgents, events, settled } = await backend.make({ averageHandleMinutes: average });
      setAgents(agents);
      const answers = [];
      for (const c of ['c1', 'c2', 'c3', 'c4']) answers.push((await enqueue(c)).waitMinutes);
      expect(answers).toEqual(waits);
      expect((await queue.positions()).map((p) => p.waitMinutes)).toEqual(waits);
      expect((await queue.position('T4'))?.waitMinutes).toBe(waits[3]);
      await settled();
      const moved = events.at(-1);
      expect(moved?.type === 'moved' && moved.waiting.map((w) => w.waitMinutes)).toEqual(waits);
    });

    it('reads agentsOnline at each estimate', async () => {
      const { queue, enqueue, setAgents } = await backend.make();
      await enqueue('c1');
      await enqueue('c2');
      expect(await queue.position('T2')).toEqual({ position: 2, waitMinutes: 10 });
      setAgents(3);
      expect(await queue.position('T2')).toEqual({ position: 2, waitMinutes: 4 });
    });
  });

  describe('one open ticket per conversation', () => {
    it('enqueue again returns the open ticket, its current place, and emits nothing', async () => {
      const { queue, enqueue, events, settled } = await backend.make();
      await enqueue('c1');
      await enqueue('c2');
      await settled();
      events.length = 0;
      expect(await enqueue('c2')).toEqual({ ticket: 'T2', status: 'waiting', position: 2, waitMinutes: 10, created: false });
      await settled();
      expect(events).toEqual([]);
      await queue.cancel('T1');
      expect(await enqueue('c2')).toMatchObject({ ticket: 'T2', position: 1, created: false });
      expect(await queue.waiting()).toHaveLength(1);
    });

    it('with an agent, enqueue returns that ticket (place 0); once ended, a new ticket', async () => {
      const { queue, enqueue } = await backend.make();
      await enqueue('c1');
      await queue.claim('T1', 'agentA');
      expect(await enqueue('c1')).toEqual({
        ticket: 'T1',
        status: 'withAgent',
        position: 0,
        waitMinutes: 0,
        created: false,
      });
      expect((await queue.openFor('c1'))?.ticket).toBe('T1');
      await queue.handBack('T1', 'agentA');
      expect(await queue.openFor('c1')).toBeUndefined();
      expect(await enqueue('c1')).toMatchObject({ ticket: 'T2', status: 'waiting', created: true });
    });

    it('racing enqueues of one conversation make one ticket', async () => {
      const { queue, enqueue } = await backend.make();
      const results = await Promise.all([enqueue('c1'), enqueue('c1'), enqueue('c1')]);
      expect(new Set(results.map((r) => r.ticket)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(await queue.waiting()).toHaveLength(1);
    });
  });

  describe('claiming', () => {
    it('claims a waiting ticket and moves the others up', async () => {
      const { queue, enqueue, events, advance, settled } = await backend.make();
      await enqueue('c1');
      await enqueue('c2');
      await settled();
      events.length = 0;
      advance(MIN);
      const result = await queue.claim('T1', 'agentA');
      expect(result).toEqual({
        ok: true,
        ticket: expect.objectContaining({ ticket: 'T1', status: 'withAgent', agentId: 'agentA', claimedAt: T0 + MIN }),
      });
      await settled();
      expect(events).toEqual([
        { type: 'claimed', ticket: await queue.get('T1') },
        { type: 'moved', waiting: [{ ticket: 'T2', conversationId: 'c2', position: 1, waitMinutes: 5 }] },
      ]);
      expect(result.ok && result.ticket).toEqual(await queue.get('T1'));
      expect((await queue.ofAgent('agentA')).map((t) => t.ticket)).toEqual(['T1']);
      expect(await queue.ofAgent('agentB')).toEqual([]);
      expect(await queue.position('T1')).toBeUndefined();
    });

    it("an agent's tickets come oldest claim first", async () => {
      const { queue, enqueue, setNow } = await backend.make();
      for (const c of ['c1', 'c2', 'c3']) await enqueue(c);
      setNow(T0 + 2 * MIN);
      await queue.claim('T1', 'A');
      setNow(T0 + MIN);
      await queue.claim('T3', 'A');
      await queue.claim('T2', 'A'); // the same time as T3: insertion order breaks the tie
      expect((await queue.ofAgent('A')).map((t) => t.ticket)).toEqual(['T2', 'T3', 'T1']);
      await queue.close('T2', 'A', 'done');
      expect((await queue.ofAgent('A')).map((t) => t.ticket)).toEqual(['T3', 'T1']);
    });

    // [state of the ticket, who claims, result, how the ticket got there]
    test.each<[string, string, unknown, (q: HandoffQueue) => Promise<unknown>]>([
      ['held by A', 'B', { ok: false, reason: 'taken' }, (q) => q.claim('T1', 'A')],
      ['held by A', 'A', { ok: true, ticket: expect.objectContaining({ agentId: 'A' }) }, (q) => q.claim('T1', 'A')],
      ['closed', 'B', { ok: false, reason: 'notWaiting' }, async (q) => (await q.claim('T1', 'A'), q.close('T1', 'A', ''))],
      ['handed back', 'A', { ok: false, reason: 'notWaiting' }, async (q) => (await q.claim('T1', 'A'), q.handBack('T1', 'A'))],
      ['cancelled', 'A', { ok: false, reason: 'notWaiting' }, (q) => q.cancel('T1')],
    ])('a ticket %s, claimed by %s → %j', async (_state, agent, expected, arrange) => {
      const { queue, enqueue, events, settled } = await backend.make();
      await enqueue('c1');
      await arrange(queue);
      await settled();
      events.length = 0;
      expect(await queue.claim('T1', agent)).toEqual(expected);
      await settled();
      expect(events).toEqual([]); // a refused or repeated claim changes nothing
    });

    it('an unknown ticket', async () => {
      expect(await (await backend.make()).queue.claim('nope', 'A')).toEqual({ ok: false, reason: 'unknown' });
    });

    it('two agents racing (Promise.all): exactly one wins, the other is told it is taken', async () => {
      const { queue, enqueue, events, settled } = await backend.make();
      await enqueue('c1');
      await settled();
      events.length = 0;
      const results = await Promise.all([queue.claim('T1', 'agentA'), queue.claim('T1', 'agentB')]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'taken' }]);
      await settled();
      expect(events.map((e) => e.type)).toEqual(['claimed', 'moved']);
    });
  });

  describe('only the holder ends a ticket', () => {
    type Act = 'close' | 'handBack';
    // [action, by whom, the ticket's state, expected error code or the new status]
    test.each<[Act, string, 'waiting' | 'held by A' | 'closed' | 'unknown', QueueErrorCode | 'closed' | 'returned']>([
      ['close', 'A', 'held by A', 'closed'],
      ['handBack', 'A', 'held by A', 'returned'],
      ['close', 'B', 'held by A', 'notHolder'],
      ['handBack', 'B', 'held by A', 'notHolder'],
      ['close', 'A', 'waiting', 'notClaimed'],
      ['handBack', 'A', 'waiting', 'notClaimed'],
      ['close', 'A', 'closed', 'ticketEnded'],
      ['handBack', 'A', 'closed', 'ticketEnded'],
      ['close', 'A', 'unknown', 'unknownTicket'],
      ['handBack', 'A', 'unknown', 'unknownTicket'],
    ])('%s by %s when %s → %s', async (act, agent, state, expected) => {
      const { queue, enqueue, events, advance, settled } = await backend.make();
      await enqueue('c1');
      if (state !== 'waiting') await queue.claim('T1', 'A');
      if (state === 'closed') await queue.close('T1', 'A', 'first');
      const ticket = state === 'unknown' ? 'T9' : 'T1';
      const before = await queue.get('T1');
      await settled();
      events.length = 0;
      advance(MIN);
      const run = () => (act === 'close' ? queue.close(ticket, agent, 'helped') : queue.handBack(ticket, agent));
      if (expected === 'closed' || expected === 'returned') {
        const t = await run();
        expect(t).toMatchObject({ status: expected, agentId: 'A', closedAt: T0 + MIN });
        expect(t.resolution).toBe(expected === 'closed' ? 'helped' : undefined);
        expect(await queue.get('T1')).toEqual(t);
        await settled();
        expect(events).toEqual([{ type: expected, ticket: t }]);
        expect(await queue.ofAgent('A')).toEqual([]);
        expect(await queue.openFor('c1')).toBeUndefined();
      } else {
        expect(await codeOf(run())).toBe(expected);
        expect(await queue.get('T1')).toEqual(before);
        await settled();
        expect(events).toEqual([]);
      }
    });

    it('QueueError names the ticket', async () => {
      const { queue } = await backend.make();
      await expect(queue.close('T9', 'A', 'x')).rejects.toThrow(
        expect.objectContaining({ name: 'QueueError', code: 'unknownTicket', id: 'T9' }),
      );
    });
  });

  describe('cancelling', () => {
    it('the customer stops waiting: everyone behind moves up', async () => {
      const { queue, enqueue, events, advance, settled } = await backend.make();
      for (const c of ['c1', 'c2', 'c3']) await enqueue(c);
      await settled();
      events.length = 0;
      advance(MIN);
      const result = await queue.cancel('T1');
      expect(result).toEqual({ ok: true, ticket: expect.objectContaining({ status: 'cancelled', closedAt: T0 + MIN }) });
      await settled();
      expect(events).toEqual([
        { type: 'cancelled', ticket: await queue.get('T1') },
        {
          type: 'moved',
          waiting: [
            { ticket: 'T2', conversationId: 'c2', position: 1, waitMinutes: 5 },
            { ticket: 'T3', conversationId: 'c3', position: 2, waitMinutes: 10 },
          ],
        },
      ]);
      expect(await queue.openFor('c1')).toBeUndefined();
    });

    it('cancelling the last one moves nobody (an empty list)', async () => {
      const { queue, enqueue, events, settled } = await backend.make();
      await enqueue('c1');
      await queue.cancel('T1');
      await settled();
      expect(events.at(-1)).toEqual({ type: 'moved', waiting: [] });
    });

    // [state of the ticket, the ticket cancelled, result, how the ticket got there]
    test.each<[string, string, unknown, (q: HandoffQueue) => Promise<unknown>]>([
      ['already with an agent (the claim won)', 'T1', { ok: false, reason: 'notWaiting' }, (q) => q.claim('T1', 'A')],
      ['already cancelled', 'T1', { ok: false, reason: 'notWaiting' }, (q) => q.cancel('T1')],
      ['unknown', 'T9', { ok: false, reason: 'unknown' }, async () => undefined],
    ])('refused when %s', async (_state, ticket, expected, arrange) => {
      const { queue, enqueue, events, settled } = await backend.make();
      await enqueue('c1');
      await arrange(queue);
      await settled();
      events.length = 0;
      expect(await queue.cancel(ticket)).toEqual(expected);
      await settled();
      expect(events).toEqual([]);
    });

    it('a cancel racing a claim: exactly one of them happens', async () => {
      const { queue, enqueue } = await backend.make();
      await enqueue('c1');
      const [claimed, cancelled] = await Promise.all([queue.claim('T1', 'A'), queue.cancel('T1')]);
      expect([claimed.ok, cancelled.ok].filter(Boolean)).toHaveLength(1);
      expect((await queue.get('T1'))?.status).toBe(claimed.ok ? 'withAgent' : 'cancelled');
    });
  });

  describe('transcript', () => {
    it('appends lines while waiting and with an agent; refuses unknown and ended tickets', async () => {
      const { queue, enqueue, events, advance, settled } = await backend.make();
      await enqueue('c1');
      advance(1000);
      expect(await queue.addLine('T1', { from: 'customer', text: 'still there?' })).toEqual({
        at: T0 + 1000,
        from: 'customer',
        text: 'still there?',
      });
      await queue.claim('T1', 'A');
      await queue.addLine('T1', { from: 'agent', text: '您好', at: T0 + 5 });
      expect((await queue.get('T1'))?.transcript).toEqual([
        { at: T0 + 1000, from: 'customer', text: 'still there?' },
        { at: T0 + 5, from: 'agent', text: '您好' },
      ]);
      await settled();
      expect(events.filter((e) => e.type === 'message')).toEqual([
        // While it waits nobody holds it; once claimed, the holder is named (who may see the line).
        {
          type: 'message',
          ticket: 'T1',
          conversationId: 'c1',
          line: { at: T0 + 1000, from: 'customer', text: 'still there?' },
        },
        {
          type: 'message',
          ticket: 'T1',
          conversationId: 'c1',
          agentId: 'A',
          line: { at: T0 + 5, from: 'agent', text: '您好' },
        },
      ]);

      expect(await codeOf(queue.addLine('T9', { from: 'customer', text: 'x' }))).toBe('unknownTicket');
      await queue.close('T1', 'A', 'ok');
      expect(await codeOf(queue.addLine('T1', { from: 'customer', text: 'x' }))).toBe('ticketEnded');
      expect((await queue.get('T1'))?.transcript).toHaveLength(2);
    });

    it('never stores a full card, ID or phone number, wherever it came in', async () => {
      const { queue, stored } = await backend.make();
      const CARD = '6222021234567890128';
      const PHONE = '13800138000';
      const ID = '11010519491231002X';
      await queue.enqueue({
        conversationId: 'c1',
        reason: 'customerRequest',
        locale: 'zh-CN',
        // a caller that forgot to mask
        context: { card: CARD, idNumber: ID, oldPhone: `+86${PHONE}`, newPhone: '186 1234 5678', passed: CONTEXT.passed },
        transcript: [
          { at: T0, from: 'customer', text: `卡号 ${CARD}，手机 ${PHONE}` },
          { at: T0, from: 'bot', text: `身份证 ${ID}?` },
        ],
      });
      const line = await queue.addLine('T1', { from: 'customer', text: 'my card is 6222 0212 3456 7890 128' });
      expect(line.text).toBe('my card is 6222 **** **** 0128');
      await queue.claim('T1', 'A');
      const closed = await queue.close('T1', 'A', `changed ${PHONE} → 186-1234-5678`);
      expect(closed.resolution).toBe('changed 138****8000 → 186****5678');
      const callback = await queue.requestCallback({
        conversationId: 'c2',
        locale: 'zh-CN',
        reason: 'oldPhoneUnreachable',
        context: { oldPhone: PHONE, passed: CONTEXT.passed },
        preferredTime: `明天上午，打 ${PHONE}`,
      });
      expect(callback).toMatchObject({
        preferredTime: '明天上午，打 138****8000',
        context: { oldPhone: '138****8000' },
      });

      expect((await queue.get('T1'))?.context).toMatchObject({
        card: '6222 **** **** 0128',
        idNumber: '1101**********002X',
        oldPhone: '138****8000',
        newPhone: '186****5678',
      });
      expect((await queue.get('T1'))?.transcript.map((l) => l.text)).toEqual([
        '卡号 6222 **** **** 0128，手机 138****8000',
        '身份证 1101**********002X?',
        'my card is 6222 **** **** 0128',
      ]);

      const texts = await stored();
      const dump = JSON.stringify(texts);
      for (const secret of [CARD, PHONE, ID, '18612345678', '1861234', '6222021234', '1234 5678 9012']) {
        expect(dump).not.toContain(secret);
      }
      // No run of 6+ digits in any stored text (times are numbers, not text, once the JSON is opened).
      expect(texts.length).toBeGreaterThan(20);
      expect(texts.filter((t) => /\d{6,}/.test(t))).toEqual([]);
    });
  });

  describe('callbacks', () => {
    it('stores open callbacks oldest first, completes them, and emits each change', async () => {
      const { queue, events, setNow, advance, settled } = await backend.make();
      setNow(T0 + MIN);
      const first = await queue.requestCallback({ ...CALLBACK, conversationId: 'c1' });
      setNow(T0);
      await queue.requestCallback({ ...CALLBACK, conversationId: 'c2', preferredTime: 'after 6pm' });
      expect(first).toEqual({
        id: 'cb1',
        conversationId: 'c1',
        locale: 'zh-CN',
        reason: 'oldPhoneUnreachable',
        context: CONTEXT,
        preferredTime: '明天上午',
        requestedAt: T0 + MIN,
        status: 'open',
      });
      expect((await queue.callbacks()).map((c) => c.id)).toEqual(['cb2', 'cb1']);

      advance(MIN);
      const done = await queue.completeCallback('cb2', 'agentA');
      expect(done).toEqual({
        id: 'cb2',
        conversationId: 'c2',
        locale: 'zh-CN',
        reason: 'oldPhoneUnreachable',
        context: CONTEXT,
        preferredTime: 'after 6pm',
        requestedAt: T0,
        status: 'done',
        doneBy: 'agentA',
        doneAt: T0 + MIN,
      });
      expect(await queue.callbacks()).toEqual([first]);
      await settled();
      expect(events).toEqual([
        { type: 'callback', callback: first },
        { type: 'callback', callback: { ...done, status: 'open', doneBy: undefined, doneAt: undefined } },
        { type: 'callback', callback: done },
      ]);
    });

    it('one open callback per conversation; a new one after it is done', async () => {
      const { queue, events, settled } = await backend.make();
      const first = await queue.requestCallback({ ...CALLBACK, conversationId: 'c1' });
      expect(await queue.requestCallback({ ...CALLBACK, conversationId: 'c1', preferredTime: 'later' })).toEqual(first);
      await settled();
      expect(events).toHaveLength(1);
      await queue.completeCallback('cb1', 'A');
      expect((await queue.requestCallback({ ...CALLBACK, conversationId: 'c1' })).id).toBe('cb2');
    });

    it('racing requests of one conversation make one callback', async () => {
      const { queue } = await backend.make();
      const request = () => queue.requestCallback({ ...CALLBACK, conversationId: 'c1' });
      const results = await Promise.all([request(), request(), request()]);
      expect(new Set(results.map((c) => c.id)).size).toBe(1);
      expect(await queue.callbacks()).toHaveLength(1);
    });

    it('refuses to complete an unknown or finished callback', async () => {
      const { queue, events, settled } = await backend.make();
      await queue.requestCallback({ ...CALLBACK, conversationId: 'c1' });
      expect(await codeOf(queue.completeCallback('nope', 'A'))).toBe('unknownCallback');
      await queue.completeCallback('cb1', 'A');
      await settled();
      events.length = 0;
      expect(await codeOf(queue.completeCallback('cb1', 'B'))).toBe('callbackDone');
      await expect(queue.completeCallback('cb1', 'B')).rejects.toMatchObject({ id: 'cb1' });
      expect(await queue.callbacks()).toEqual([]);
      await settled();
      expect(events).toEqual([]);
    });
  });

  describe('ratings', () => {
    it('only an ended ticket (closed or handed back) is rated, once, from 1 to 5', async () => {
      const { queue, enqueue, events, settled } = await backend.make();
      const waiting = (await enqueue('c1')).ticket;
      expect(await queue.rate(waiting, 5)).toBe(false);
      await queue.claim(waiting, 'A');
      expect(await queue.rate(waiting, 5)).toBe(false);
      await queue.handBack(waiting, 'A');
      for (const bad of [0, 6, 2.5, Number.NaN]) expect(await queue.rate(waiting, bad)).toBe(false);
      expect(await queue.rate(waiting, 4)).toBe(true);
      expect(await queue.rate(waiting, 1)).toBe(false);
      expect((await queue.get(waiting))?.rating).toBe(4);
      expect(await queue.rate('nope', 3)).toBe(false);

      const closed = (await enqueue('c2')).ticket;
      await queue.claim(closed, 'A');
      await queue.close(closed, 'A', 'resolved');
      expect(await queue.rate(closed, 2)).toBe(true);
      expect(await queue.get(closed)).toMatchObject({ status: 'closed', resolution: 'resolved', rating: 2 });

      const cancelled = (await enqueue('c3')).ticket;
      await queue.cancel(cancelled);
      expect(await queue.rate(cancelled, 5)).toBe(false);
      await settled();
      expect(events.map((e) => e.type)).not.toContain('rated'); // a rating is no queue event
    });
  });

  describe('events', () => {
    it('come in the order things happened, each with an id of its own', async () => {
      const { queue, enqueue, events, ids, settled } = await backend.make();
      await enqueue('c1');
      await enqueue('c2');
      await queue.claim('T1', 'A');
      await queue.addLine('T1', { from: 'agent', text: 'hi' });
      await queue.close('T1', 'A', 'done');
      await enqueue('c3');
      await queue.cancel('T2');
      await queue.claim('T3', 'B');
      await queue.handBack('T3', 'B');
      await queue.requestCallback({ ...CALLBACK, conversationId: 'c4' });
      await queue.completeCallback('cb1', 'A');
      await settled();
      expect(events.map((e) => e.type)).toEqual([
        'queued', 'moved',
        'queued', 'moved',
        'claimed', 'moved',
        'message',
        'closed',
        'queued', 'moved',
        'cancelled', 'moved',
        'claimed', 'moved',
        'returned',
        'callback',
        'callback',
      ]);
      expect(ids).toHaveLength(events.length);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    });

    it('carry the tickets as stored, and moved describes the queue right after its own change', async () => {
      const { queue, enqueue, events, settled } = await backend.make();
      // Started together: each moved still lists the queue as its own enqueue left it.
      await Promise.all(['c1', 'c2', 'c3'].map(enqueue));
      await settled();
      expect(events.map((e) => e.type)).toEqual(['queued', 'moved', 'queued', 'moved', 'queued', 'moved']);
      const queued = events.filter((e) => e.type === 'queued');
      const moved = events.filter((e) => e.type === 'moved');
      expect(moved.map((m) => m.waiting.length)).toEqual([1, 2, 3]);
      for (const [i, m] of moved.entries()) expect(m.waiting.at(-1)?.ticket).toBe(queued[i]?.ticket.ticket);
      for (const q of queued) expect(q.ticket).toEqual(await queue.get(q.ticket.ticket));
    });

    it('unsubscribing stops the events; other listeners keep theirs', async () => {
      const { queue, enqueue, events, settled } = await backend.make();
      const mine: QueueEvent[] = [];
      const off = queue.on((e) => mine.push(e));
      await enqueue('c1');
      await settled();
      off();
      off(); // twice is harmless
      await enqueue('c2');
      await settled();
      expect(mine.map((e) => e.type)).toEqual(['queued', 'moved']);
      expect(events).toHaveLength(4);
    });

    it('every listener hears an event with the same id', async () => {
      const { queue, enqueue, ids, settled } = await backend.make();
      const other: string[] = [];
      queue.on((_event, meta) => other.push(meta.id));
      await enqueue('c1');
      await settled();
      expect(other).toEqual(ids);
    });

    it('a listener that throws does not undo the change or starve the others', async () => {
      const { queue, enqueue, events, failures, settled } = await backend.make();
      queue.on(() => {
        throw new Error('console down');
      });
      const later: string[] = [];
      queue.on((e) => later.push(e.type));
      expect((await enqueue('c1')).ticket).toBe('T1');
      expect((await queue.get('T1'))?.status).toBe('waiting');
      await settled();
      expect(events.map((e) => e.type)).toEqual(['queued', 'moved']);
      expect(later).toEqual(['queued', 'moved']);
      expect(failures).toEqual([
        ['Error: console down', 'queued'],
        ['Error: console down', 'moved'],
      ]);
    });

    it('a refused change publishes nothing and leaves no partial write', async () => {
      const { queue, enqueue, events, settled } = await backend.make();
      await enqueue('c1');
      await settled();
      events.length = 0;
      expect(await codeOf(queue.close('T1', 'A', 'x'))).toBe('notClaimed');
      await settled();
      expect(events).toEqual([]);
      expect((await queue.get('T1'))?.status).toBe('waiting');
    });
  });
});

describe('handoff queue on Redis: several instances', () => {
  /** An instance: its own connection and subscriber, as a separate bot process would have. */
  interface Instance {
    queue: RedisHandoffQueue;
    heard: Array<{ id: string; event: QueueEvent }>;
    settled(): Promise<void>;
    connections: Redis[];
  }
  const instances: Instance[] = [];
  const clock = { now: T0 };
  let tickets = 0;

  function instance(prefix: string): Instance {
    const connection = new Redis(testRedisUrl());
    const sub = connection.duplicate();
    const queue = createRedisHandoffQueue({
      redis: connection,
      subscriber: sub,
      prefix,
      clock: () => clock.now,
      newTicket: () => `T${++tickets}`,
    });
    const heard: Instance['heard'] = [];
    queue.on((event, meta) => heard.push({ id: meta.id, event }));
    const settled = () => within(sub.ping().then(() => undefined), 'a subscriber');
    const made = { queue, heard, settled, connections: [connection, sub] };
    instances.push(made);
    return made;
  }

  afterAll(async () => {
    for (const i of instances) await i.queue.shutdown();
    for (const c of instances.flatMap((i) => i.connections)) c.disconnect();
  });

  it('a ticket queued on A is claimed on B; both hear the same events, in order, with the same ids', async () => {
    const prefix = uniquePrefix('two');
    const a = instance(prefix);
    const b = instance(prefix);
    // Pub/sub keeps nothing: an instance hears what is published once it is subscribed.
    await Promise.all([a.queue.ready(), b.queue.ready()]);
    tickets = 0;

    const { ticket } = await a.queue.enqueue({ ...ASK, conversationId: 'c1' });
    // The one-open-ticket guard holds across instances too.
    expect(await b.queue.enqueue({ ...ASK, conversationId: 'c1' })).toMatchObject({ ticket, created: false });
    expect(await b.queue.claim(ticket, 'agentB')).toMatchObject({ ok: true });
    await a.queue.addLine(ticket, { from: 'customer', text: 'hello?' });
    await b.queue.addLine(ticket, { from: 'agent', text: 'hi, I am here' });
    const closed = await b.queue.close(ticket, 'agentB', 'done');
    expect(await a.queue.get(ticket)).toEqual(closed);

    await Promise.all([a.settled(), b.settled()]);
    expect(a.heard.map((h) => h.event.type)).toEqual([
      'queued', 'moved',
      'claimed', 'moved',
      'message',
      'message',
      'closed',
    ]);
    expect(b.heard).toEqual(a.heard);
    expect(new Set(a.heard.map((h) => h.id)).size).toBe(a.heard.length);
    expect(a.heard[4]?.event).toEqual({
      type: 'message',
      ticket,
      conversationId: 'c1',
      agentId: 'agentB',
      line: { at: T0, from: 'customer', text: 'hello?' },
    });
  });

  it('claims racing from two instances: exactly one wins each ticket', async () => {
    const prefix = uniquePrefix('race');
    const a = instance(prefix);
    const b = instance(prefix);
    // Pub/sub keeps nothing: an instance hears what is published once it is subscribed.
    await Promise.all([a.queue.ready(), b.queue.ready()]);
    tickets = 0;
    const N = 50;
    for (let i = 0; i < N; i++) {
      await a.queue.enqueue({ ...ASK, conversationId: `w${i}` });
    }
    const waiting = (await b.queue.waiting()).map((t) => t.ticket);
    expect(waiting).toHaveLength(N);
    // A from the front, B from the back, all at once: they meet in the middle and contend.
    const results = await Promise.all([
      ...waiting.map(async (t) => ['A', t, await a.queue.claim(t, 'agentA')] as const),
      ...[...waiting].reverse().map(async (t) => ['B', t, await b.queue.claim(t, 'agentB')] as const),
    ]);
    const winners = results.filter(([, , r]) => r.ok);
    expect(winners).toHaveLength(N);
    expect(new Set(winners.map(([, t]) => t)).size).toBe(N);
    expect(results.filter(([, , r]) => !r.ok).map(([, , r]) => r)).toEqual(Array(N).fill({ ok: false, reason: 'taken' }));
    await Promise.all([a.settled(), b.settled()]);
    expect(a.heard.filter((h) => h.event.type === 'claimed')).toHaveLength(N);
    expect(b.heard).toEqual(a.heard);
    const lastMoved = a.heard.at(-1)?.event;
    expect(lastMoved).toEqual({ type: 'moved', waiting: [] });
  });

  it('the channel carries { id, event } as JSON, as the listeners hear it', async () => {
    const prefix = uniquePrefix('wire');
    const a = instance(prefix);
    const raw = new Redis(testRedisUrl());
    try {
      const messages: string[] = [];
      raw.on('message', (_channel: string, message: string) => messages.push(message));
      await raw.subscribe(`${prefix}handoff:events`);
      await a.queue.enqueue({ ...ASK, conversationId: 'c1' });
      await Promise.all([a.settled(), within(raw.ping(), 'the raw subscriber')]);
      expect(messages.map((m) => JSON.parse(m) as unknown)).toEqual(a.heard);
    } finally {
      raw.disconnect();
    }
  });

  it('a change made before the subscriber has connected is still heard by its own instance', async () => {
    const connection = new Redis(testRedisUrl());
    const sub = new Redis(testRedisUrl(), { lazyConnect: true, enableOfflineQueue: false });
    const queue = createRedisHandoffQueue({ redis: connection, subscriber: sub, prefix: uniquePrefix('lazy') });
    instances.push({ queue, heard: [], settled: async () => undefined, connections: [connection, sub] });
    const heard: string[] = [];
    queue.on((e) => heard.push(e.type));
    await queue.enqueue({ ...ASK, conversationId: 'c1' });
    await within(sub.ping(), 'the subscriber');
    expect(heard).toEqual(['queued', 'moved']);
  });

  it('after shutdown an instance hears nothing and refuses operations', async () => {
    const prefix = uniquePrefix('shutdown');
    const a = instance(prefix);
    const b = instance(prefix);
    await Promise.all([a.queue.ready(), b.queue.ready()]);
    await a.queue.shutdown();
    await b.queue.enqueue({ ...ASK, conversationId: 'c1' });
    await Promise.all([a.settled(), b.settled()]);
    expect(a.heard).toEqual([]);
    expect(b.heard.map((h) => h.event.type)).toEqual(['queued', 'moved']);
    await expect(a.queue.get('T1')).rejects.toThrow(/closed/);
  });
});
