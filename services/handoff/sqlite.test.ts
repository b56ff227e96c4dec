import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MaskedSummary } from '../../domain/maskedSummary';
import { openDatabase, type Db } from '../platform/openDatabase';
import { createSqliteHandoffQueue, type SqliteHandoffQueue, type SqliteHandoffQueueOptions } from './sqlite';
import { QueueError, type QueueErrorCode, type QueueEvent } from './index';
import { createLocalEventBus } from './localEventBus';
import { textsIn } from '../../tests/support/textsIn';

const T0 = Date.UTC(2026, 10, 28, 2, 0, 0);
const MIN = 60_000;
const CONTEXT: MaskedSummary = {
  card: '6222 **** **** 0128',
  oldPhone: '138****8000',
  passed: { identity: true, oldCode: false, newCode: false },
  stoppedAt: 'otp',
};
const CALLBACK = { locale: 'en-US', reason: 'complaint', context: CONTEXT, preferredTime: 'after 6pm' } as const;

function setup(options: Partial<SqliteHandoffQueueOptions> = {}, db: Db = openDatabase(':memory:')) {
  let now = T0;
  let tickets = 0;
  let ids = 0;
  let agents = 1;
  const queue = createSqliteHandoffQueue({
    db,
    clock: () => now,
    newTicket: () => `T${++tickets}`,
    newId: () => `cb${++ids}`,
    agentsOnline: () => agents,
    ...options,
  });
  const events: QueueEvent[] = [];
  queue.on((e) => events.push(e));
  const enqueue = (conversationId: string) =>
    queue.enqueue({ conversationId, reason: 'customerRequest', locale: 'zh-CN', context: CONTEXT });
  return {
    db,
    queue,
    events,
    enqueue,
    types: () => events.map((e) => e.type),
    setNow: (t: number) => (now = t),
    advance: (ms: number) => (now += ms),
    setAgents: (n: number) => (agents = n),
  };
}

function codeOf(f: () => unknown): QueueErrorCode | 'none' {
  try {
    f();
  } catch (error) {
    if (error instanceof QueueError) return error.code;
    throw error;
  }
  return 'none';
}


function withTempDir<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'rebind-queue-'));
  const result = f(dir);
  if (result instanceof Promise) {
    return result.finally(() => rmSync(dir, { recursive: true, force: true })) as T;
  }
  rmSync(dir, { recursive: true, force: true });
  return result;
}

describe('handoff queue: order and positions', () => {
  it('orders waiting tickets by requestedAt, then by insertion', () => {
    const { queue, enqueue, setNow } = setup();
    // [conversation, requested at]: c1 asks last though inserted first; c2 and c3 tie.
    const arrivals: Array<[string, number]> = [
      ['c1', T0 + 2 * MIN],
      ['c2', T0],
      ['c3', T0],
      ['c4', T0 + MIN],
    ];
    for (const [c, at] of arrivals) {
      setNow(at);
      enqueue(c);
    }
    expect(queue.waiting().map((t) => t.conversationId)).toEqual(['c2', 'c3', 'c4', 'c1']);
    expect(queue.positions()).toEqual([
      { ticket: 'T2', conversationId: 'c2', position: 1, waitMinutes: 5 },
      { ticket: 'T3', conversationId: 'c3', position: 2, waitMinutes: 10 },
      { ticket: 'T4', conversationId: 'c4', position: 3, waitMinutes: 15 },
      { ticket: 'T1', conversationId: 'c1', position: 4, waitMinutes: 20 },
    ]);
    expect(queue.position('T1')).toEqual({ position: 4, waitMinutes: 20 });
    expect(queue.position('nope')).toBeUndefined();
  });

  it('enqueue answers the new ticket and its place', () => {
    const { enqueue } = setup();
    expect(enqueue('c1')).toEqual({ ticket: 'T1', status: 'waiting', position: 1, waitMinutes: 5, created: true });
    expect(enqueue('c2')).toEqual({ ticket: 'T2', status: 'waiting', position: 2, waitMinutes: 10, created: true });
  });

  it('stores the ticket with its context, transcript and time', () => {
    const { queue, setNow } = setup();
    setNow(T0 + 7);
    queue.enqueue({
      conversationId: 'c1',
      reason: 'otpLocked',
      locale: 'en-US',
      context: CONTEXT,
      transcript: [{ at: T0, from: 'customer', text: 'I want a person' }],
    });
    expect(queue.get('T1')).toEqual({
      ticket: 'T1',
      conversationId: 'c1',
      reason: 'otpLocked',
      locale: 'en-US',
      context: CONTEXT,
      transcript: [{ at: T0, from: 'customer', text: 'I want a person' }],
      requestedAt: T0 + 7,
      status: 'waiting',
    });
    expect(queue.get('T9')).toBeUndefined();
  });

  // [agents online, average minutes, waits for positions 1..4]
  test.each<[number, number, number[]]>([
    [1, 5, [5, 10, 15, 20]],
    [3, 5, [2, 4, 5, 7]],
    [2, 4, [2, 4, 6, 8]],
    [0, 5, [5, 10, 15, 20]], // nobody online counts as one: an estimate, not a promise
  ])('with %i agent(s) at %i min each, waits are %j', (agents, averageHandleMinutes, waits) => {
    const { queue, enqueue, setAgents } = setup({ averageHandleMinutes });
    setAgents(agents);
    for (const c of ['c1', 'c2', 'c3', 'c4']) enqueue(c);
    expect(queue.positions().map((p) => p.waitMinutes)).toEqual(waits);
    expect(queue.position('T4')?.waitMinutes).toBe(waits[3]);
  });

  it('reads agentsOnline at each estimate', () => {
    const { queue, enqueue, setAgents } = setup();
    enqueue('c1');
    enqueue('c2');
    expect(queue.position('T2')).toEqual({ position: 2, waitMinutes: 10 });
    setAgents(3);
    expect(queue.position('T2')).toEqual({ position: 2, waitMinutes: 4 });
  });

  it('rejects a nonsense average', () => {
    const db = openDatabase(':memory:');
    expect(() => createSqliteHandoffQueue({ db, averageHandleMinutes: 0 })).toThrow(RangeError);
    expect(() => createSqliteHandoffQueue({ db, averageHandleMinutes: Number.NaN })).toThrow(RangeError);
  });
});

describe('handoff queue: one open ticket per conversation', () => {
  it('enqueue again returns the open ticket, its current place, and emits nothing', () => {
    const { queue, enqueue, events } = setup();
    enqueue('c1');
    enqueue('c2');
    events.length = 0;
    expect(enqueue('c2')).toEqual({ ticket: 'T2', status: 'waiting', position: 2, waitMinutes: 10, created: false });
    expect(events).toEqual([]);
    queue.cancel('T1');
    expect(enqueue('c2')).toMatchObject({ ticket: 'T2', position: 1, created: false });
    expect(queue.waiting()).toHaveLength(1);
  });

  it('with an agent, enqueue returns that ticket (place 0); once ended, a new ticket', () => {
    const { queue, enqueue } = setup();
    enqueue('c1');
    queue.claim('T1', 'agentA');
    expect(enqueue('c1')).toEqual({ ticket: 'T1', status: 'withAgent', position: 0, waitMinutes: 0, created: false });
    expect(queue.openFor('c1')?.ticket).toBe('T1');
    queue.handBack('T1', 'agentA');
    expect(queue.openFor('c1')).toBeUndefined();
    expect(enqueue('c1')).toMatchObject({ ticket: 'T2', status: 'waiting', created: true });
  });

  it('the database refuses a second open ticket even from code that skips the check', () => {
    const { db, enqueue } = setup();
    enqueue('c1');
    const insert = db.prepare(`
      INSERT INTO handoff_tickets (ticket, conversation_id, reason, locale, context, requested_at, status)
      VALUES ('X', 'c1', 'customerRequest', 'zh-CN', '{}', 0, 'waiting')`);
    expect(() => insert.run()).toThrow(/UNIQUE/);
  });
});

describe('handoff queue: claiming', () => {
  it('claims a waiting ticket and moves the others up', () => {
    const { queue, enqueue, events, advance } = setup();
    enqueue('c1');
    enqueue('c2');
    events.length = 0;
    advance(MIN);
    const result = queue.claim('T1', 'agentA');
    expect(result).toEqual({
      ok: true,
      ticket: expect.objectContaining({ ticket: 'T1', status: 'withAgent', agentId: 'agentA', claimedAt: T0 + MIN }),
    });
    expect(events).toEqual([
      { type: 'claimed', ticket: queue.get('T1') },
      { type: 'moved', waiting: [{ ticket: 'T2', conversationId: 'c2', position: 1, waitMinutes: 5 }] },
    ]);
    expect(queue.ofAgent('agentA').map((t) => t.ticket)).toEqual(['T1']);
    expect(queue.ofAgent('agentB')).toEqual([]);
    expect(queue.position('T1')).toBeUndefined();
  });

  // [state of the ticket, who claims, result, how the ticket got there]
  test.each<[string, string, unknown, (q: SqliteHandoffQueue) => void]>([
    ['held by A', 'B', { ok: false, reason: 'taken' }, (q) => q.claim('T1', 'A')],
    ['held by A', 'A', { ok: true, ticket: expect.objectContaining({ agentId: 'A' }) }, (q) => q.claim('T1', 'A')],
    ['closed', 'B', { ok: false, reason: 'notWaiting' }, (q) => (q.claim('T1', 'A'), q.close('T1', 'A', 'done'))],
    ['handed back', 'A', { ok: false, reason: 'notWaiting' }, (q) => (q.claim('T1', 'A'), q.handBack('T1', 'A'))],
    ['cancelled', 'A', { ok: false, reason: 'notWaiting' }, (q) => q.cancel('T1')],
  ])('a ticket %s, claimed by %s → %j', (_state, agent, expected, arrange) => {
    const { queue, enqueue, events } = setup();
    enqueue('c1');
    arrange(queue);
    events.length = 0;
    expect(queue.claim('T1', agent)).toEqual(expected);
    expect(events).toEqual([]); // a refused or repeated claim changes nothing
  });

  it('an unknown ticket', () => {
    expect(setup().queue.claim('nope', 'A')).toEqual({ ok: false, reason: 'unknown' });
  });

  it('two agents racing (Promise.all): exactly one wins, the other is told it is taken', async () => {
    const { queue, enqueue, events } = setup();
    enqueue('c1');
    events.length = 0;
    const results = await Promise.all(
      ['agentA', 'agentB'].map((agent) => Promise.resolve().then(() => queue.claim('T1', agent))),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'taken' }]);
    expect(events.filter((e) => e.type === 'claimed')).toHaveLength(1);
  });

  it('two queue instances on one SQLite file: one wins, and each sees the other’s claim', () =>
    withTempDir(async (dir) => {
      const file = join(dir, 'queue.sqlite');
      const dbA = openDatabase(file);
      const dbB = openDatabase(file);
      try {
        const a = setup({}, dbA);
        const b = setup({ newTicket: () => 'never' }, dbB);
        a.enqueue('c1');
        a.enqueue('c2');
        expect(b.queue.waiting().map((t) => t.ticket)).toEqual(['T1', 'T2']);

        const results = await Promise.all([
          Promise.resolve().then(() => a.queue.claim('T1', 'agentA')),
          Promise.resolve().then(() => b.queue.claim('T1', 'agentB')),
        ]);
        expect(results.map((r) => r.ok).sort()).toEqual([false, true]);
        expect(results.find((r) => !r.ok)).toEqual({ ok: false, reason: 'taken' });

        // B read T2 as waiting, then A claims it: B's claim still loses.
        expect(b.queue.get('T2')?.status).toBe('waiting');
        expect(a.queue.claim('T2', 'agentA').ok).toBe(true);
        expect(b.queue.claim('T2', 'agentB')).toEqual({ ok: false, reason: 'taken' });
        // The enqueue guard holds across instances too.
        expect(b.enqueue('c2')).toMatchObject({ ticket: 'T2', created: false });
      } finally {
        dbA.close();
        dbB.close();
      }
    }));

  it(
    'two processes on one SQLite file: every ticket claimed exactly once, every conversation queued once',
    () =>
      withTempDir(async (dir) => {
        const file = join(dir, 'queue.sqlite');
        const db = openDatabase(file);
        const { enqueue } = setup({ newTicket: undefined }, db); // real random tickets: the racers make them too
        const N = 200;
        for (let i = 0; i < N; i++) enqueue(`w${i}`);
        db.close();

        const claims = (await race(file, 'claim', N)) as Array<{ won: string[]; lost: Record<string, string> }>;
        const won = claims.flatMap((c) => c.won);
        expect(won).toHaveLength(N);
        expect(new Set(won).size).toBe(N);
        for (const c of claims) expect(Object.values(c.lost).filter((reason) => reason !== 'taken')).toEqual([]);
        expect(claims.every((c) => c.won.length + Object.keys(c.lost).length === N)).toBe(true);

        const enqueues = (await race(file, 'enqueue', N)) as Array<{ tickets: Array<[string, boolean]> }>;
        const [first, second] = enqueues.map((e) => e.tickets);
        expect(first?.map(([t]) => t)).toEqual(second?.map(([t]) => t)); // the same ticket per conversation
        const created = enqueues.flatMap((e) => e.tickets.filter(([, c]) => c));
        expect(created).toHaveLength(N);
      }),
    60_000,
  );
});

/** Starts two racer processes on `file`, lets them go at once, and returns their results. */
async function race(file: string, mode: 'claim' | 'enqueue', count: number): Promise<unknown[]> {
  const racer = join(__dirname, '..', '..', 'tests', 'support', 'queueRacer.ts');
  const racers: Array<[string, 'asc' | 'desc']> = [
    ['agentA', 'asc'],
    ['agentB', 'desc'],
  ];
  const children = racers.map(([agent, order]) =>
    spawn(process.execPath, ['--import', 'tsx', racer, file, mode, agent, String(count), order], {
      cwd: join(__dirname, '..', '..'),
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const outputs = children.map((child) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const ready = new Promise<void>((resolve, reject) => {
      const check = () => out.startsWith('ready\n') && resolve();
      child.stdout.on('data', check);
      child.once('exit', (code) => reject(new Error(`racer exited early (${String(code)}): ${err}`)));
    });
    const done = new Promise<unknown>((resolve, reject) => {
      child.once('exit', (code) => {
        if (code !== 0) reject(new Error(`racer failed (${String(code)}): ${err}`));
        else resolve(JSON.parse(out.slice('ready\n'.length)) as unknown);
      });
    });
    return { ready, done };
  });
  await Promise.all(outputs.map((o) => o.ready));
  const startAt = Date.now() + 100; // both spin until then, so their loops overlap
  for (const child of children) child.stdin.write(`${startAt}\n`);
  return Promise.all(outputs.map((o) => o.done));
}

describe('handoff queue: only the holder ends a ticket', () => {
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
  ])('%s by %s when %s → %s', (act, agent, state, expected) => {
    const { queue, enqueue, events, advance } = setup();
    enqueue('c1');
    if (state !== 'waiting') queue.claim('T1', 'A');
    if (state === 'closed') queue.close('T1', 'A', 'first');
    const ticket = state === 'unknown' ? 'T9' : 'T1';
    const before = queue.get('T1');
    events.length = 0;
    advance(MIN);
    const run = () => (act === 'close' ? queue.close(ticket, agent, 'helped') : queue.handBack(ticket, agent));
    if (expected === 'closed' || expected === 'returned') {
      const t = run();
      expect(t).toMatchObject({ status: expected, agentId: 'A', closedAt: T0 + MIN });
      expect(t.resolution).toBe(expected === 'closed' ? 'helped' : undefined);
      expect(events).toEqual([{ type: expected, ticket: t }]);
      expect(queue.ofAgent('A')).toEqual([]);
      expect(queue.openFor('c1')).toBeUndefined();
    } else {
      expect(codeOf(run)).toBe(expected);
      expect(queue.get('T1')).toEqual(before);
      expect(events).toEqual([]);
    }
  });

  it('QueueError names the ticket', () => {
    const { queue } = setup();
    expect(() => queue.close('T9', 'A', 'x')).toThrow(expect.objectContaining({ name: 'QueueError', id: 'T9' }));
  });
});

describe('handoff queue: cancelling', () => {
  it('the customer stops waiting: everyone behind moves up', () => {
    const { queue, enqueue, events, advance } = setup();
    for (const c of ['c1', 'c2', 'c3']) enqueue(c);
    events.length = 0;
    advance(MIN);
    const result = queue.cancel('T1');
    expect(result).toEqual({ ok: true, ticket: expect.objectContaining({ status: 'cancelled', closedAt: T0 + MIN }) });
    expect(events).toEqual([
      { type: 'cancelled', ticket: queue.get('T1') },
      {
        type: 'moved',
        waiting: [
          { ticket: 'T2', conversationId: 'c2', position: 1, waitMinutes: 5 },
          { ticket: 'T3', conversationId: 'c3', position: 2, waitMinutes: 10 },
        ],
      },
    ]);
  });

  it('cancelling the last one moves nobody (an empty list)', () => {
    const { queue, enqueue, events } = setup();
    enqueue('c1');
    queue.cancel('T1');
    expect(events.at(-1)).toEqual({ type: 'moved', waiting: [] });
  });

  // [state of the ticket, the ticket cancelled, result, how the ticket got there]
  test.each<[string, string, unknown, (q: SqliteHandoffQueue) => void]>([
    ['already with an agent (the claim won)', 'T1', { ok: false, reason: 'notWaiting' }, (q) => q.claim('T1', 'A')],
    ['already cancelled', 'T1', { ok: false, reason: 'notWaiting' }, (q) => q.cancel('T1')],
    ['unknown', 'T9', { ok: false, reason: 'unknown' }, () => undefined],
  ])('refused when %s', (_state, ticket, expected, arrange) => {
    const { queue, enqueue, events } = setup();
    enqueue('c1');
    arrange(queue);
    events.length = 0;
    expect(queue.cancel(ticket)).toEqual(expected);
    expect(events).toEqual([]);
  });
});

describe('handoff queue: transcript', () => {
  it('appends lines while waiting and with an agent; refuses unknown and ended tickets', () => {
    const { queue, enqueue, events, advance } = setup();
    enqueue('c1');
    advance(1000);
    expect(queue.addLine('T1', { from: 'customer', text: 'still there?' })).toEqual({
      at: T0 + 1000,
      from: 'customer',
      text: 'still there?',
    });
    queue.claim('T1', 'A');
    queue.addLine('T1', { from: 'agent', text: '您好', at: T0 + 5 });
    expect(queue.get('T1')?.transcript).toEqual([
      { at: T0 + 1000, from: 'customer', text: 'still there?' },
      { at: T0 + 5, from: 'agent', text: '您好' },
    ]);
    expect(events.filter((e) => e.type === 'message')).toEqual([
      // While it waits nobody holds it; once claimed, the holder is named (who may see the line).
      { type: 'message', ticket: 'T1', conversationId: 'c1', line: { at: T0 + 1000, from: 'customer', text: 'still there?' } },
      {
        type: 'message',
        ticket: 'T1',
        conversationId: 'c1',
        agentId: 'A',
        line: { at: T0 + 5, from: 'agent', text: '您好' },
      },
    ]);

    expect(codeOf(() => queue.addLine('T9', { from: 'customer', text: 'x' }))).toBe('unknownTicket');
    queue.close('T1', 'A', 'ok');
    expect(codeOf(() => queue.addLine('T1', { from: 'customer', text: 'x' }))).toBe('ticketEnded');
    expect(queue.get('T1')?.transcript).toHaveLength(2);
  });

  it('never stores a full card, ID or phone number, wherever it came in', () =>
    withTempDir((dir) => {
      const file = join(dir, 'mask.sqlite');
      const db = openDatabase(file);
      const { queue } = setup({}, db);
      const CARD = '6222021234567890128';
      const PHONE = '13800138000';
      const ID = '11010519491231002X';
      queue.enqueue({
        conversationId: 'c1',
        reason: 'customerRequest',
        locale: 'zh-CN',
        // a caller that forgot to mask
        context: {
          card: CARD,
          idNumber: ID,
          oldPhone: `+86${PHONE}`,
          newPhone: '186 1234 5678',
          passed: CONTEXT.passed,
        },
        transcript: [
          { at: T0, from: 'customer', text: `卡号 ${CARD}，手机 ${PHONE}` },
          { at: T0, from: 'bot', text: `身份证 ${ID}?` },
        ],
      });
      queue.addLine('T1', { from: 'customer', text: 'my card is 6222 0212 3456 7890 128' });
      queue.claim('T1', 'A');
      queue.close('T1', 'A', `changed ${PHONE} → 186-1234-5678`);
      queue.requestCallback({
        conversationId: 'c2',
        locale: 'zh-CN',
        reason: 'oldPhoneUnreachable',
        context: { oldPhone: PHONE, passed: CONTEXT.passed },
        preferredTime: `明天上午，打 ${PHONE}`,
      });

      expect(queue.get('T1')?.context).toMatchObject({
        card: '6222 **** **** 0128',
        idNumber: '1101**********002X',
        oldPhone: '138****8000',
        newPhone: '186****5678',
      });
      expect(queue.get('T1')?.transcript.map((l) => l.text)).toEqual([
        '卡号 6222 **** **** 0128，手机 138****8000',
        '身份证 1101**********002X?',
        'my card is 6222 **** **** 0128',
      ]);

      const rows = [
        ...db.prepare('SELECT * FROM handoff_tickets').all(),
        ...db.prepare('SELECT * FROM handoff_callbacks').all(),
      ];
      const dump = JSON.stringify(rows);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      const bytes = readFileSync(file).toString('latin1');
      for (const secret of [CARD, PHONE, ID, '18612345678', '1861234', '6222021234', '1234 5678 9012']) {
        expect(dump).not.toContain(secret);
        expect(bytes).not.toContain(secret);
      }
      // No run of 6+ digits in any stored text, JSON columns opened (timestamps are numbers, not text).
      const texts = rows.flatMap((r) => textsIn(r));
      expect(texts.length).toBeGreaterThan(20);
      expect(texts.filter((t) => /\d{6,}/.test(t))).toEqual([]);
    }));
});

describe('handoff queue: callbacks', () => {
  const request = {
    locale: 'zh-CN',
    reason: 'oldPhoneUnreachable',
    context: CONTEXT,
    preferredTime: '明天上午',
  } as const;

  it('stores open callbacks oldest first, completes them, and emits each change', () => {
    const { queue, events, setNow, advance } = setup();
    setNow(T0 + MIN);
    const first = queue.requestCallback({ ...request, conversationId: 'c1' });
    setNow(T0);
    queue.requestCallback({ ...request, conversationId: 'c2', preferredTime: 'after 6pm' });
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
    expect(queue.callbacks().map((c) => c.id)).toEqual(['cb2', 'cb1']);

    advance(MIN);
    const done = queue.completeCallback('cb2', 'agentA');
    expect(done).toMatchObject({ id: 'cb2', status: 'done', doneBy: 'agentA', doneAt: T0 + MIN });
    expect(queue.callbacks().map((c) => c.id)).toEqual(['cb1']);
    expect(events).toEqual([
      { type: 'callback', callback: first },
      { type: 'callback', callback: expect.objectContaining({ id: 'cb2', status: 'open' }) },
      { type: 'callback', callback: done },
    ]);
  });

  it('one open callback per conversation; a new one after it is done', () => {
    const { queue, events } = setup();
    const first = queue.requestCallback({ ...request, conversationId: 'c1' });
    expect(queue.requestCallback({ ...request, conversationId: 'c1', preferredTime: 'later' })).toEqual(first);
    expect(events).toHaveLength(1);
    queue.completeCallback('cb1', 'A');
    expect(queue.requestCallback({ ...request, conversationId: 'c1' }).id).toBe('cb2');
  });

  it('refuses to complete an unknown or finished callback', () => {
    const { queue } = setup();
    queue.requestCallback({ ...request, conversationId: 'c1' });
    expect(codeOf(() => queue.completeCallback('nope', 'A'))).toBe('unknownCallback');
    queue.completeCallback('cb1', 'A');
    expect(codeOf(() => queue.completeCallback('cb1', 'B'))).toBe('callbackDone');
    expect(queue.callbacks()).toEqual([]);
  });
});

describe('handoff queue: events', () => {
  it('come in the order things happened', () => {
    const { queue, enqueue, types } = setup();
    enqueue('c1');
    enqueue('c2');
    queue.claim('T1', 'A');
    queue.addLine('T1', { from: 'agent', text: 'hi' });
    queue.close('T1', 'A', 'done');
    enqueue('c3');
    queue.cancel('T2');
    queue.claim('T3', 'B');
    queue.handBack('T3', 'B');
    queue.requestCallback({ ...CALLBACK, conversationId: 'c4' });
    expect(types()).toEqual([
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
    ]);
  });

  it('a listener sees the queue as it is after the change', () => {
    const { queue, enqueue } = setup();
    const seen: Array<number | undefined> = [];
    queue.on((e) => {
      if (e.type === 'queued') seen.push(queue.position(e.ticket.ticket)?.position);
    });
    enqueue('c1');
    enqueue('c2');
    expect(seen).toEqual([1, 2]);
  });

  it('unsubscribing stops the events; other listeners keep theirs', () => {
    const { queue, enqueue, events } = setup();
    const mine: QueueEvent[] = [];
    const off = queue.on((e) => mine.push(e));
    enqueue('c1');
    off();
    off(); // twice is harmless
    enqueue('c2');
    expect(mine.map((e) => e.type)).toEqual(['queued', 'moved']);
    expect(events).toHaveLength(4);
  });

  it('a listener that throws does not undo the change or starve the others', () => {
    const failures: Array<[unknown, string]> = [];
    const bus = createLocalEventBus({ onListenerError: (error, event) => failures.push([error, event.type]) });
    const { queue, enqueue, events } = setup({ events: bus });
    queue.on(() => {
      throw new Error('console down');
    });
    const later: string[] = [];
    queue.on((e) => later.push(e.type));
    expect(enqueue('c1').ticket).toBe('T1');
    expect(queue.get('T1')?.status).toBe('waiting');
    expect(events.map((e) => e.type)).toEqual(['queued', 'moved']);
    expect(later).toEqual(['queued', 'moved']);
    expect(failures).toEqual([
      [new Error('console down'), 'queued'],
      [new Error('console down'), 'moved'],
    ]);
  });

  it('a refused change publishes nothing and leaves no partial write', () => {
    const { queue, enqueue, events } = setup();
    enqueue('c1');
    events.length = 0;
    expect(codeOf(() => queue.close('T1', 'A', 'x'))).toBe('notClaimed');
    expect(events).toEqual([]);
    expect(queue.get('T1')?.status).toBe('waiting');
  });
});

describe('handoff queue: storage', () => {
  it('a second queue on the same database sees the same tickets (migration is idempotent)', () => {
    const { db, enqueue, queue } = setup();
    enqueue('c1');
    queue.requestCallback({ ...CALLBACK, conversationId: 'c9' });
    const again = createSqliteHandoffQueue({ db });
    expect(again.waiting().map((t) => t.ticket)).toEqual(['T1']);
    expect(again.callbacks().map((c) => c.id)).toEqual(['cb1']);
  });
});

describe('handoff queue: ratings', () => {
  test('only an ended ticket (closed or handed back) is rated, once, from 1 to 5', () => {
    const { queue, enqueue } = setup();
    const waiting = enqueue('c1').ticket;
    expect(queue.rate(waiting, 5)).toBe(false);
    queue.claim(waiting, 'A');
    expect(queue.rate(waiting, 5)).toBe(false);
    queue.handBack(waiting, 'A');
    for (const bad of [0, 6, 2.5, Number.NaN]) expect(queue.rate(waiting, bad)).toBe(false);
    expect(queue.rate(waiting, 4)).toBe(true);
    expect(queue.rate(waiting, 1)).toBe(false);
    expect(queue.get(waiting)?.rating).toBe(4);
    expect(queue.rate('nope', 3)).toBe(false);

    const closed = enqueue('c2').ticket;
    queue.claim(closed, 'A');
    queue.close(closed, 'A', 'resolved');
    expect(queue.rate(closed, 2)).toBe(true);

    const cancelled = enqueue('c3').ticket;
    queue.cancel(cancelled);
    expect(queue.rate(cancelled, 5)).toBe(false);
  });

  test('a table made before ratings existed gains the column', () => {
    const db = openDatabase(':memory:');
    db.exec(`CREATE TABLE handoff_tickets (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, ticket TEXT NOT NULL UNIQUE, conversation_id TEXT NOT NULL,
      reason TEXT NOT NULL, locale TEXT NOT NULL, context TEXT NOT NULL, transcript TEXT NOT NULL DEFAULT '[]',
      requested_at INTEGER NOT NULL, status TEXT NOT NULL, agent_id TEXT, claimed_at INTEGER, closed_at INTEGER,
      resolution TEXT)`);
    const { queue, enqueue } = setup({}, db);
    const t = enqueue('c1').ticket;
    queue.claim(t, 'A');
    queue.close(t, 'A', 'done');
    expect(queue.rate(t, 5)).toBe(true);
    expect(queue.get(t)?.rating).toBe(5);
  });
});
