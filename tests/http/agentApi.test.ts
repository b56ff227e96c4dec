import { createServer as createHttpServer, get as httpGet, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSignInBrake } from '../../server/agent/signInBrake';
import { openEventStream } from '../../server/agent/sse';
import { createStreamTokens } from '../../server/agent/streamTokens';
import type { EnqueueInput } from '../../services/handoff';
import { startTestServer, type TestServer } from '../support/server';

jest.setTimeout(60_000);

const A = { id: 'a01', name: '王丽', token: 'tok-aaaaaaaaaaaaaaaa' };
const B = { id: 'a02', name: 'Li Wei', token: 'tok-bbbbbbbbbbbbbbbb' };
const AGENT_TOKENS = `${A.id}:${A.name}:${A.token},${B.id}:${B.name}:${B.token}`;
const CARD = '6222021234567890128';

// The server's clock, moved by the tests. Before 2001-09-09 timestamps have 12 digits, so "no run
// of 13+ digits in what the console receives" means no card number leaked.
let now = Date.UTC(2001, 0, 1, 9, 0, 0);
const tick = (ms: number) => {
  now += ms;
};

/** A customer waiting for a person, as the bot queues one. */
const customer = (conversationId: string): EnqueueInput => ({
  conversationId,
  reason: 'customerRequest',
  locale: 'zh-CN',
  context: { card: '6222 **** **** 0128', passed: { identity: true, oldCode: false, newCode: false } },
  transcript: [{ at: 1, from: 'customer', text: `卡号 ${CARD}` }],
});

// Response bodies are arbitrary JSON, checked field by field with expect(): typing each would be noise.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface Reply {
  status: number;
  body: Json;
  headers: Headers;
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ AGENT_TOKENS }, { clock: () => now });
});
afterAll(() => server.dispose());

async function call(
  method: 'GET' | 'POST',
  path: string,
  { token, body, raw }: { token?: string; body?: unknown; raw?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const payload = method === 'GET' ? undefined : (raw ?? (body === undefined ? undefined : JSON.stringify(body)));
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${server.base}${path}`, { method, headers, body: payload });
  const text = await res.text();
  let parsed: Json;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
const post = (path: string, token?: string, body?: unknown) => call('POST', `/agent/api${path}`, { token, body });

/** A raw GET, the path sent exactly as written (fetch would resolve `..`). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(server.base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

// ---- A small Server-Sent Events reader ------------------------------------------------------------

interface SseEvent {
  event: string;
  data: Json;
}

class EventStreamReader {
  readonly events: SseEvent[] = [];
  /** Everything received, as text (for "no card number anywhere"). */
  raw = '';
  comments = 0;
  /** True when the server ended the response properly (not a dropped connection, not an abort). */
  cleanEnd = false;
  /** Resolves when the server ends the stream (or it is aborted). */
  readonly ended: Promise<void>;
  private wake: () => void = () => undefined;

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    this.ended = this.read();
  }

  /** Opens the stream with a fresh stream token; fails unless the server answers 200. */
  static async open(token: string): Promise<EventStreamReader> {
    const { body } = await post('/stream', token);
    return EventStreamReader.openWith(body.streamToken);
  }

  static async openWith(streamToken: string): Promise<EventStreamReader> {
    const reader = await EventStreamReader.connect(`stream=${encodeURIComponent(streamToken)}`);
    if (reader.response.status !== 200) throw new Error(`stream refused: ${reader.response.status}`);
    return reader;
  }

  static async connect(query: string): Promise<EventStreamReader> {
    const abort = new AbortController();
    const response = await fetch(`${server.base}/agent/api/events?${query}`, { signal: abort.signal });
    return new EventStreamReader(response, abort);
  }

  private async read(): Promise<void> {
    if (!this.response.body || this.response.status !== 200) return;
    const decoder = new TextDecoder();
    let buffer = '';
    const body = this.response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await body.read();
        if (done) {
          this.cleanEnd = true;
          break;
        }
        const text = decoder.decode(value, { stream: true });
        this.raw += text;
        buffer += text;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
        this.wake();
      }
    } catch {
      // aborted by close()
    } finally {
      this.wake();
    }
  }

  private parse(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments += 1;
      else if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) this.events.push({ event, data: JSON.parse(data.join('\n')) });
  }

  /** The number of events received so far: a mark for `next`. */
  get mark(): number {
    return this.events.length;
  }

  /** The first event from `from` on with that name (and matching `where`), waiting for it if need be. */
  async next(name: string, where: (data: Json) => boolean = () => true, from = 0): Promise<Json> {
    let finished = false;
    void this.ended.then(() => (finished = true));
    for (;;) {
      const found = this.events.slice(from).find((e) => e.event === name && where(e.data));
      if (found) return found.data;
      if (finished) throw new Error(`stream ended before a '${name}' event`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        void this.ended.then(() => resolve());
      });
    }
  }

  /** Events with that name received from `from` on. */
  since(from: number, name?: string): SseEvent[] {
    return this.events.slice(from).filter((e) => name === undefined || e.event === name);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.ended;
  }
}

const open: EventStreamReader[] = [];
async function stream(token: string): Promise<EventStreamReader> {
  const s = await EventStreamReader.open(token);
  open.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});

/** Waits until the presence count is what we expect (a closed stream is noticed asynchronously). */
async function presenceIs(count: number): Promise<void> {
  while (server.services.presence.online() !== count) await new Promise((r) => setTimeout(r, 20));
}

// ---- The page ------------------------------------------------------------------------------------

describe('the console page', () => {
  test('is served at /agent and /agent/ with strict security headers, its assets from an allow-list', async () => {
    for (const path of ['/agent', '/agent/']) {
      const res = await fetch(`${server.base}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('content-security-policy')).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
          "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      );
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html).toContain('/agent/static/console.js');
    }
    const js = await fetch(`${server.base}/agent/static/console.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(await js.text()).toContain('/events?stream=');
    const css = await fetch(`${server.base}/agent/static/console.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    // The icon the page links to comes from the customer site's static files.
    expect((await fetch(`${server.base}/static/favicon.svg`)).status).toBe(200);
  });

  test('nothing else can be read through /agent/static', async () => {
    for (const path of [
      '/agent/static/../../package.json',
      '/agent/static/..%2F..%2Fpackage.json',
      '/agent/static/%2e%2e/%2e%2e/package.json',
      '/agent/static/index.html',
      '/agent/static/console.js.map',
      '/agent/static/',
    ]) {
      const res = await rawGet(path);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.body).not.toContain('"devDependencies"');
    }
  });
});

// ---- Sign-in -------------------------------------------------------------------------------------

describe('sign-in', () => {
  const routes: Array<['GET' | 'POST', string]> = [
    ['POST', '/session'],
    ['POST', '/stream'],
    ['GET', '/state'],
    ['POST', '/tickets/HXXXX/claim'],
    ['POST', '/tickets/HXXXX/messages'],
    ['POST', '/tickets/HXXXX/close'],
    ['POST', '/tickets/HXXXX/handback'],
    ['POST', '/callbacks/x/done'],
  ];

  test('every API route answers 401 without a token or with a wrong one', async () => {
    tick(10 * 60_000); // a fresh brake window
    for (const [method, path] of routes) {
      for (const token of [undefined, 'tok-cccccccccccccccc']) {
        const res = await call(method, `/agent/api${path}`, { token, body: { text: 'hi', resolution: 'resolved' } });
        expect([path, res.status]).toEqual([path, 401]);
        expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    }
    // The agent token does not open the event stream (it never goes in a URL).
    const inUrl = await EventStreamReader.connect(`token=${A.token}`);
    expect(inUrl.response.status).toBe(401);
    expect(((await inUrl.response.json()) as Json).error.code).toBe('unauthorized');
  });

  test('a valid token signs in', async () => {
    const res = await post('/session', A.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ agentId: 'a01', name: '王丽' });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await post('/session', B.token)).body).toEqual({ agentId: 'a02', name: 'Li Wei' });
  });

  test('after 10 failed sign-ins from one address, it is refused (429) until the window ends', async () => {
    tick(10 * 60_000);
    for (let i = 0; i < 10; i += 1) expect((await post('/session', `tok-wrong-guess-${i}-xxxxxx`)).status).toBe(401);
    const blocked = await post('/session', 'tok-wrong-guess-10-xxxxxx');
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('tooManyAttempts');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // The right token too: otherwise the answer would tell a right guess apart.
    expect((await post('/session', A.token)).status).toBe(429);
    expect((await call('GET', '/agent/api/state', { token: A.token })).status).toBe(429);
    tick(5 * 60_000);
    expect((await post('/session', A.token)).status).toBe(200);
  });
});

// ---- Stream tokens -------------------------------------------------------------------------------

describe('stream tokens', () => {
  test('are random, one-use, short-lived and required', async () => {
    const issued = await post('/stream', A.token);
    expect(issued.status).toBe(200);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    const { streamToken } = issued.body;
    expect(streamToken).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect((await post('/stream', A.token)).body.streamToken).not.toBe(streamToken);

    const first = await EventStreamReader.openWith(streamToken);
    expect(first.response.headers.get('content-type')).toContain('text/event-stream');
    expect(first.response.headers.get('cache-control')).toBe('no-store');
    expect(first.response.headers.get('x-accel-buffering')).toBe('no');
    await first.next('snapshot');
    await first.close();

    const again = await EventStreamReader.connect(`stream=${encodeURIComponent(streamToken)}`);
    expect(again.response.status).toBe(401);
    expect(((await again.response.json()) as Json).error.code).toBe('unauthorized');
    expect((await EventStreamReader.connect('')).response.status).toBe(401);
    expect((await EventStreamReader.connect('stream=nonsense')).response.status).toBe(401);

    const late = (await post('/stream', A.token)).body.streamToken;
    tick(61_000);
    expect((await EventStreamReader.connect(`stream=${late}`)).response.status).toBe(401);
    await presenceIs(0);
  });
});

// ---- The queue, live -----------------------------------------------------------------------------

describe('the live queue', () => {
  let t1: string;
  let t2: string;
  let a: EventStreamReader;
  let b: EventStreamReader;

  test('the snapshot lists who waits, in order, masked', async () => {
    t1 = (await server.services.queue.enqueue(customer('test/c1'))).ticket;
    a = await stream(A.token);
    const snap = await a.next('snapshot');
    expect(snap.waiting).toHaveLength(1);
    expect(snap.waiting[0]).toMatchObject({
      ticket: t1,
      conversationId: 'test/c1',
      status: 'waiting',
      position: 1,
      waitMinutes: expect.any(Number),
      context: { card: '6222 **** **** 0128' },
      transcript: [{ from: 'customer', text: '卡号 6222 **** **** 0128' }],
    });
    expect(snap.mine).toEqual([]);
    expect(snap.callbacks).toEqual([]);
    expect(snap.agentsOnline).toBe(1);
    expect(a.raw).not.toContain(CARD);
    expect(a.raw).not.toMatch(/\d{13,}/);

    const state = await call('GET', '/agent/api/state', { token: A.token });
    expect(state.status).toBe(200);
    expect(state.body).toEqual(snap);
  });

  test('a second agent signing in is announced (agents), and counted in the snapshot', async () => {
    const mark = a.mark;
    b = await stream(B.token);
    expect((await b.next('snapshot')).agentsOnline).toBe(2);
    expect(await a.next('agents', () => true, mark)).toEqual({ agentsOnline: 2 });

    // A third tab of B's: still two agents, and nothing announced when it closes.
    const extra = await stream(B.token);
    expect((await extra.next('snapshot')).agentsOnline).toBe(2);
    await extra.close();
    const m2 = a.mark;
    const gone = await stream(B.token);
    await gone.next('snapshot');
    await gone.close();
    expect(a.since(m2, 'agents')).toEqual([]);
  });

  test('a new customer is pushed to every agent (queued, then moved)', async () => {
    const [ma, mb] = [a.mark, b.mark];
    t2 = (await server.services.queue.enqueue(customer('test/c2'))).ticket;
    const marks = new Map([
      [a, ma],
      [b, mb],
    ]);
    for (const [s, mark] of marks) {
      const queued = await s.next('queued', (d) => d.ticket.ticket === t2, mark);
      expect(queued.ticket).toMatchObject({ status: 'waiting', transcript: [{ text: '卡号 6222 **** **** 0128' }] });
      const moved = await s.next('moved', () => true, mark);
      expect(moved.waiting.map((w: Json) => [w.ticket, w.position])).toEqual([
        [t1, 1],
        [t2, 2],
      ]);
    }
    // A customer's line on a waiting ticket: everyone sees it.
    await server.services.queue.addLine(t2, { from: 'customer', text: '还要等多久？' });
    for (const s of [a, b]) {
      const msg = await s.next('message', (d) => d.ticket === t2);
      expect(msg.line).toMatchObject({ from: 'customer', text: '还要等多久？' });
    }
  });

  test('claiming: the holder gets the transcript, the other agent only that it is taken', async () => {
    const [ma, mb] = [a.mark, b.mark];
    const res = await post(`/tickets/${t1}/claim`, A.token);
    expect(res.status).toBe(200);
    expect(res.body.ticket).toMatchObject({ ticket: t1, status: 'withAgent', agentId: 'a01' });
    expect(res.body.ticket.transcript).toHaveLength(1);

    const mine = await a.next('claimed', (d) => d.ticket.ticket === t1, ma);
    expect(mine.ticket.transcript).toHaveLength(1);
    const theirs = await b.next('claimed', (d) => d.ticket.ticket === t1, mb);
    expect(theirs.ticket).toMatchObject({ status: 'withAgent', agentId: 'a01', transcript: [] });
    expect((await b.next('moved', () => true, mb)).waiting.map((w: Json) => w.ticket)).toEqual([t2]);

    // Taken is taken; claiming one's own again is fine and not audited twice.
    expect((await post(`/tickets/${t1}/claim`, B.token)).body.error.code).toBe('taken');
    expect((await post(`/tickets/${t1}/claim`, A.token)).status).toBe(200);
    expect((await post('/tickets/HNOSUCHONE/claim', A.token)).body).toEqual({
      error: { code: 'unknownTicket', message: expect.any(String) },
    });
    const audited = await server.services.audit.list({ conversationId: 'test/c1' });
    const claims = audited.filter((r) => r.type === 'handoff.claimed');
    expect(claims).toEqual([expect.objectContaining({ data: { ticket: t1, agent: 'a01' } })]);

    const stateA = (await call('GET', '/agent/api/state', { token: A.token })).body;
    expect(stateA.mine.map((t: Json) => t.ticket)).toEqual([t1]);
    const stateB = (await call('GET', '/agent/api/state', { token: B.token })).body;
    expect(stateB.mine).toEqual([]);
    expect(stateB.waiting.map((t: Json) => t.ticket)).toEqual([t2]);
  });

  test("messages: the holder's reply is cleaned and masked; only the holder sees the conversation", async () => {
    const [ma, mb] = [a.mark, b.mark];
    const text = '  您好\u0007，请问 13812345678 是您的号码吗？\r\n卡号 6222021234567890128\u202f ';
    const res = await post(`/tickets/${t1}/messages`, A.token, { text });
    expect(res.status).toBe(200);
    expect(res.body.line).toMatchObject({ from: 'agent' });
    const stored: string = res.body.line.text;
    expect(stored).toContain('您好，请问 138****5678 是您的号码吗？\n卡号 6222 **** **** 0128');
    expect(stored).not.toMatch(/[\u0000-\u0009\u000B-\u001F]/);
    expect(stored).not.toMatch(/\d{7,}/);
    expect(stored).toBe(stored.trim());

    const echoed = await a.next('message', (d) => d.ticket === t1, ma);
    expect(echoed.line).toEqual(res.body.line);
    // The customer's reply on a claimed ticket goes to its holder only, too.
    await server.services.queue.addLine(t1, { from: 'customer', text: '是的' });
    await a.next('message', (d) => d.ticket === t1 && d.line.text === '是的', ma);
    // Something everyone gets, after both lines: B has had every event before it by then.
    const t3 = (await server.services.queue.enqueue(customer('test/c3'))).ticket;
    await b.next('queued', (d) => d.ticket.ticket === t3, mb);
    expect(b.since(mb, 'message')).toEqual([]);
    expect(b.raw).not.toContain('138****5678');
    await server.services.queue.cancel(t3);
  });

  test('messages are refused to others, when empty, too long or malformed', async () => {
    const expectError = async (res: Promise<Reply>, status: number, code: string) => {
      const r = await res;
      expect([r.status, r.body?.error?.code]).toEqual([status, code]);
      expect(r.headers.get('cache-control')).toBe('no-store');
    };
    await expectError(post(`/tickets/${t1}/messages`, B.token, { text: 'hi' }), 403, 'notHolder');
    await expectError(post(`/tickets/${t2}/messages`, A.token, { text: 'hi' }), 409, 'notClaimed');
    await expectError(post('/tickets/HNOSUCHONE/messages', A.token, { text: 'hi' }), 404, 'unknownTicket');
    await expectError(post(`/tickets/${t1}/messages`, A.token, { text: '   ' }), 400, 'emptyMessage');
    await expectError(post(`/tickets/${t1}/messages`, A.token, { text: '\u0001\u0002\t' }), 400, 'emptyMessage');
    await expectError(post(`/tickets/${t1}/messages`, A.token, { text: 'x'.repeat(2001) }), 400, 'tooLong');
    expect((await post(`/tickets/${t1}/messages`, A.token, { text: ` ${'x'.repeat(2000)} ` })).status).toBe(200);
    await expectError(post(`/tickets/${t1}/messages`, A.token, { text: 42 }), 400, 'badRequest');
    await expectError(post(`/tickets/${t1}/messages`, A.token, ['hi']), 400, 'badRequest');
    await expectError(post(`/tickets/${t1}/messages`, A.token), 400, 'badRequest');
    await expectError(
      call('POST', `/agent/api/tickets/${t1}/messages`, { token: A.token, raw: '{"text": "unfinished' }),
      400,
      'badRequest',
    );
    const form = await fetch(`${server.base}/agent/api/tickets/${t1}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${A.token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'text=hi',
    });
    expect(form.status).toBe(400);
    await expectError(call('GET', '/agent/api/nothing-here', { token: A.token }), 404, 'notFound');
  });

  test('two agents racing for one customer: exactly one wins', async () => {
    const results = await Promise.all([post(`/tickets/${t2}/claim`, A.token), post(`/tickets/${t2}/claim`, B.token)]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    const lost = results.find((r) => r.status === 409) as Reply;
    expect(lost.body.error.code).toBe('taken');
    const winner = results[0]?.status === 200 ? A : B;
    expect((await server.services.queue.get(t2))?.agentId).toBe(winner.id);
    // Let B hold t2 for what follows (A already holds t1).
    if (winner === A) {
      expect((await post(`/tickets/${t2}/handback`, A.token)).status).toBe(200);
      t2 = (await server.services.queue.enqueue(customer('test/c2'))).ticket;
      expect((await post(`/tickets/${t2}/claim`, B.token)).status).toBe(200);
    }
  });

  test('closing: a known resolution, an optional short note; the other agent learns only that it ended', async () => {
    const expectError = async (body: unknown, status: number, code: string, token = B.token) => {
      const r = await post(`/tickets/${t2}/close`, token, body);
      expect([r.status, r.body?.error?.code]).toEqual([status, code]);
    };
    await expectError({ resolution: 'bogus' }, 400, 'badResolution');
    await expectError({}, 400, 'badResolution');
    await expectError({ resolution: 'resolved', note: 'x'.repeat(501) }, 400, 'tooLong');
    await expectError({ resolution: 'resolved', note: 5 }, 400, 'badRequest');
    await expectError({ resolution: 'resolved' }, 403, 'notHolder', A.token);

    const [ma, mb] = [a.mark, b.mark];
    const res = await post(`/tickets/${t2}/close`, B.token, { resolution: 'resolved', note: ' 已回访 13812345678 ' });
    expect(res.status).toBe(200);
    expect(res.body.ticket).toMatchObject({ ticket: t2, status: 'closed', resolution: 'resolved: 已回访 138****5678' });
    expect((await b.next('closed', (d) => d.ticket.ticket === t2, mb)).ticket.transcript.length).toBeGreaterThan(0);
    const seenByA = (await a.next('closed', (d) => d.ticket.ticket === t2, ma)).ticket;
    expect(seenByA).toMatchObject({ status: 'closed', transcript: [] });
    expect(seenByA.resolution).toBeUndefined();

    await expectError({ resolution: 'resolved' }, 409, 'ticketEnded');
    const claimAgain = await post(`/tickets/${t2}/claim`, A.token);
    expect([claimAgain.status, claimAgain.body.error.code]).toEqual([409, 'notWaiting']);
    const closed = (await server.services.audit.list()).filter((r) => r.type === 'handoff.closed');
    expect(closed).toEqual([
      expect.objectContaining({
        conversationId: 'test/c2',
        data: { ticket: t2, agent: 'a02', resolution: 'resolved' },
      }),
    ]);
  });

  test('handing back to the bot', async () => {
    expect((await post(`/tickets/${t1}/handback`, B.token)).body.error.code).toBe('notHolder');
    const mb = b.mark;
    const res = await post(`/tickets/${t1}/handback`, A.token);
    expect(res.status).toBe(200);
    expect(res.body.ticket).toMatchObject({ ticket: t1, status: 'returned', agentId: 'a01' });
    expect((await b.next('returned', (d) => d.ticket.ticket === t1, mb)).ticket.transcript).toEqual([]);
    expect((await post(`/tickets/${t1}/handback`, A.token)).body.error.code).toBe('ticketEnded');
    expect((await post(`/tickets/${t1}/messages`, A.token, { text: 'hi' })).body.error.code).toBe('ticketEnded');
    const audited = await server.services.audit.list({ conversationId: 'test/c1' });
    const returned = audited.filter((r) => r.type === 'handoff.returned');
    expect(returned).toEqual([expect.objectContaining({ data: { ticket: t1, agent: 'a01' } })]);
  });

  test('callbacks: pushed, listed, done once', async () => {
    const mb = b.mark;
    const requested = await server.services.queue.requestCallback({
      conversationId: 'test/cb1',
      locale: 'zh-CN',
      reason: 'customerRequest',
      context: { passed: { identity: false, oldCode: false, newCode: false } },
      preferredTime: '明天下午，打 13812345678',
    });
    const pushed = await b.next('callback', (d) => d.callback.id === requested.id, mb);
    expect(pushed.callback).toMatchObject({ status: 'open', preferredTime: '明天下午，打 138****5678' });
    expect((await call('GET', '/agent/api/state', { token: A.token })).body.callbacks).toEqual([pushed.callback]);

    const done = await post(`/callbacks/${requested.id}/done`, A.token);
    expect(done.status).toBe(200);
    expect(done.body.callback).toMatchObject({ id: requested.id, status: 'done', doneBy: 'a01' });
    expect((await b.next('callback', (d) => d.callback.status === 'done', mb)).callback.id).toBe(requested.id);
    const again = await post(`/callbacks/${requested.id}/done`, A.token);
    expect([again.status, again.body.error.code]).toEqual([409, 'callbackDone']);
    const unknown = await post('/callbacks/nope/done', A.token);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'unknownCallback']);
    expect((await call('GET', '/agent/api/state', { token: A.token })).body.callbacks).toEqual([]);
  });

  test('an agent leaving is announced', async () => {
    const ma = a.mark;
    await b.close();
    expect(await a.next('agents', () => true, ma)).toEqual({ agentsOnline: 1 });
    await presenceIs(1);
  });

  test('nothing the console received holds a full card or phone number', () => {
    for (const s of [a, b]) {
      expect(s.raw).not.toContain(CARD);
      expect(s.raw).not.toContain('13812345678');
      expect(s.raw).not.toMatch(/\d{13,}/);
    }
  });

  test('stopping the server ends the open event streams', async () => {
    const last = await stream(A.token);
    await last.next('snapshot');
    await server.dispose();
    await Promise.all([a.ended, last.ended]);
    // Ended by the server, not cut when the stop gave up waiting.
    expect([a.cleanEnd, last.cleanEnd]).toEqual([true, true]);
    expect(server.services.presence.online()).toBe(0);
  });
});

describe('without AGENT_TOKENS', () => {
  test('the page loads, and every API call is 401', async () => {
    const bare = await startTestServer({});
    try {
      expect((await fetch(`${bare.base}/agent`)).status).toBe(200);
      for (const token of [undefined, A.token, '']) {
        const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
        for (const path of ['/session', '/stream']) {
          const res = await fetch(`${bare.base}/agent/api${path}`, { method: 'POST', headers });
          expect(res.status).toBe(401);
        }
        expect((await fetch(`${bare.base}/agent/api/state`, { headers })).status).toBe(401);
      }
    } finally {
      await bare.dispose();
    }
  });
});

describe('building blocks', () => {
  test('an event stream sends a heartbeat comment, and tells when the client has gone', async () => {
    let closed: () => void = () => undefined;
    const gone = new Promise<void>((resolve) => (closed = resolve));
    const http = createHttpServer((req, res) => {
      const s = openEventStream(req, res, { heartbeatMs: 10 });
      s.send('hello', { n: 1 });
      s.onClose(closed);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    const text = await new Promise<string>((resolve, reject) => {
      const req = httpGet({ host: '127.0.0.1', port, path: '/' }, (res) => {
        let received = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received += chunk;
          if (received.includes(': ping\n\n')) {
            req.destroy();
            resolve(received);
          }
        });
      });
      req.on('error', reject);
    });
    expect(text.startsWith('event: hello\ndata: {"n":1}\n\n')).toBe(true);
    await gone;
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });

  test('stream tokens: bound to the agent, used once, expire', () => {
    let t = 0;
    const tokens = createStreamTokens({ clock: () => t, ttlMs: 1000 });
    const first = tokens.issue('a01');
    expect(first).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(tokens.redeem(first)).toBe('a01');
    expect(tokens.redeem(first)).toBeUndefined();
    const late = tokens.issue('a02');
    t = 1000;
    expect(tokens.redeem(late)).toBeUndefined();
    for (let i = 0; i < 5; i += 1) tokens.issue('a01');
    t = 5000;
    tokens.issue('a01'); // sweeps the expired ones
    expect(tokens.size).toBe(1);
    expect(tokens.redeem(undefined)).toBeUndefined();
  });

  test('the sign-in brake: per address, a fixed window from the first failure', () => {
    let t = 0;
    const brake = createSignInBrake({ clock: () => t, maxFailures: 3, windowMs: 100 });
    for (let i = 0; i < 3; i += 1) brake.failed('10.0.0.1');
    expect(brake.blockedFor('10.0.0.1')).toBe(100);
    expect(brake.blockedFor('10.0.0.2')).toBe(0);
    t = 60;
    brake.failed('10.0.0.1');
    expect(brake.blockedFor('10.0.0.1')).toBe(40);
    t = 100;
    expect(brake.blockedFor('10.0.0.1')).toBe(0);
    brake.failed('10.0.0.1');
    expect(brake.blockedFor('10.0.0.1')).toBe(0);
  });
});
