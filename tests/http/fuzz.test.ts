import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { lastCodeInOutbox } from '../support/channel';
import { spawnBot, type ChildBot } from '../support/childBot';
import { FRESH, ZHANG } from '../support/demo';
import { cd, TEST_AGENT_TOKENS, TEST_AGENTS } from '../support/harness';
import { changeNumber, ExpectRepliesClient } from '../support/httpClient';
import { rawRequest, requestText, type RawAnswer } from '../support/rawHttp';

/*
 * Every HTTP surface of the bot, fuzzed from outside: the real process (`npm start`'s index.ts) gets
 * malformed methods, targets, headers, encodings and bodies. Whatever it gets: never a 5xx, an answer
 * within a few seconds, the process alive, and afterwards a customer still changes a number.
 * FUZZ_RUNS sets how many requests (default 400); a failure prints fast-check's seed and path, which
 * FUZZ_SEED and FUZZ_PATH replay.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const ANSWER_WITHIN_MS = 5000;

let dataDir: string;
let bot: ChildBot;
let dl: { token: string; conversationId: string };

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rebind-fuzz-'));
  bot = await spawnBot(dataDir, { AGENT_TOKENS: TEST_AGENT_TOKENS });
  const res = await fetch(`${bot.base}/api/directline/token`, { method: 'POST' });
  dl = (await res.json()) as typeof dl;
  await fetch(`${bot.base}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${dl.token}` } });
}, 60_000);

afterAll(async () => {
  bot.child.kill('SIGKILL');
  await bot.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

/** After each test: alive, ready, and no 5xx or crash trace in what it wrote. */
afterEach(async () => {
  expect(bot.alive()).toBe(true);
  expect((await fetch(`${bot.base}/healthz`)).status).toBe(200);
  expect(bot.output()).not.toMatch(/Uncaught|unhandled|Emitted 'error' event|Z_DATA_ERROR|Z_BUF_ERROR/);
});

// ---- What a request is made of ------------------------------------------------------------------

const ACTIVITY = (conversation: string) => ({
  type: 'message',
  text: '你好',
  channelId: 'fuzz',
  serviceUrl: 'http://127.0.0.1:1/unused',
  conversation: { id: conversation },
  from: { id: 'fuzzer' },
  recipient: { id: 'rebind' },
  deliveryMode: 'expectReplies',
});

/** Each route's pattern, with `{id}` where a path parameter goes. */
const ROUTES: Array<[string[], string]> = [
  [['POST'], '/api/messages'],
  [['POST'], '/api/directline/token'],
  [['POST'], '/v3/directline/tokens/refresh'],
  [['POST'], '/v3/directline/conversations'],
  [['GET'], '/v3/directline/conversations/{id}'],
  [['GET', 'POST'], '/v3/directline/conversations/{id}/activities'],
  [['GET'], '/v3/directline/conversations/{id}/stream'],
  [['POST'], '/connector/{id}/v3/conversations/{id}/activities'],
  [['POST'], '/connector/{id}/v3/conversations/{id}/activities/{id}'],
  [['GET'], '/agent'],
  [['GET'], '/agent/static/console.js'],
  [['POST'], '/agent/api/session'],
  [['POST'], '/agent/api/stream'],
  [['GET'], '/agent/api/state'],
  [['GET'], '/agent/api/events'],
  [['POST'], '/agent/api/tickets/{id}/claim'],
  [['POST'], '/agent/api/tickets/{id}/messages'],
  [['POST'], '/agent/api/tickets/{id}/close'],
  [['POST'], '/agent/api/tickets/{id}/handback'],
  [['POST'], '/agent/api/callbacks/{id}/done'],
  [['DELETE'], '/agent/api/conversations/{id}/transcript'],
  [['GET'], '/'],
  [['GET'], '/webchat.js'],
  [['GET'], '/static/{id}'],
  [['GET'], '/healthz'],
  [['GET'], '/metrics'],
];

const segment = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(dl.conversationId, 'x', '', '.', '..', '%', '%E0%A4%A', '%00', '%2e%2e', '%2F', '..%2f..%2fpackage.json', 'widget.js', 'H00000001'),
    fc.constantFrom('日本', '\u202e', '💥', '%F0%9F%92%A5', 'a'.repeat(3000), '~!@$&\'()*+,;=:'),
    fc.string({ maxLength: 30 }).map(encodeURIComponent),
    fc.stringMatching(/^[\x21-\x7e]{0,24}$/),
  );

/** A path for a route: its `{id}`s filled with fuzzed segments (the real conversation often). */
const pathFor = (route: string): fc.Arbitrary<string> =>
  fc
    .array(fc.oneof({ weight: 2, arbitrary: fc.constant(dl.conversationId) }, { weight: 3, arbitrary: segment() }), { minLength: 3, maxLength: 3 })
    .map(([a, b, c]) => route.replace('{id}', a as string).replace('{id}', b as string).replace('{id}', c as string));

const query = (): fc.Arbitrary<string> =>
  fc.option(
    fc.oneof(
      fc.constantFrom('?watermark=%', '?watermark=-1', '?watermark=99999999999999999999', '?stream=', `?t=${dl.token}`, '?x=%ZZ', '?' + 'a=1&'.repeat(500)),
      fc.stringMatching(/^\?[\x21-\x7e]{0,40}$/),
    ),
    { nil: '', freq: 2 },
  );

/** Anything as a target: routes with fuzzed parameters mostly, odd forms sometimes. */
const target = (route: string): fc.Arbitrary<string> =>
  fc
    .oneof(
      { weight: 8, arbitrary: pathFor(route) },
      { weight: 1, arbitrary: fc.constantFrom('*', 'http://x:99999/healthz', '//evil/healthz', '/api//messages', '/api/messages/', '/API/MESSAGES', '/../../etc/passwd', '/' + 'a/'.repeat(2000)) },
      { weight: 1, arbitrary: fc.stringMatching(/^\/[\x21-\x7e]{0,60}$/) },
    )
    .chain((path) => query().map((q) => path + q));

/** The route's own method mostly; any other, or none HTTP knows, sometimes. */
const method = (own: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...own) },
    { weight: 2, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') },
    { weight: 1, arbitrary: fc.constantFrom('TRACE', 'CONNECT', 'FOO', 'get', 'M-SEARCH', 'PROPFIND') },
  );

const header = (likely: string | undefined, others: readonly (string | undefined)[]) =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(likely) }, { weight: 1, arbitrary: fc.constantFrom(...others) });

/** Headers: what a client of that route sends, mostly; anything, sometimes. */
const headers = (route: string): fc.Arbitrary<Record<string, string>> => {
  const token = route.startsWith('/agent') ? `Bearer ${TEST_AGENTS.a01.token}` : route.includes('directline') ? `Bearer ${dl.token}` : undefined;
  return fc
    .record({
      'Content-Type': header('application/json', [undefined, 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json; charset="', 'application/vnd.api+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ';;;', '']),
      'Content-Encoding': header(undefined, ['gzip', 'deflate', 'br', 'identity', 'gzip, gzip', 'x-nope', '']),
      Authorization: header(token, [undefined, `Bearer ${dl.token}`, `Bearer ${TEST_AGENTS.a01.token}`, 'Bearer', 'Bearer a.b.c', 'Basic Og==', 'Bearer ' + 'x'.repeat(4000), '\u00ff\u00fe']),
      Origin: header(undefined, ['http://evil.example', 'null', '\u00e9']),
      'X-Forwarded-For': header(undefined, ['1.2.3.4', 'garbage, , ,', '::1, 999.999.999.999']),
      Accept: header(undefined, ['*/*', 'text/event-stream', 'application/json;q=x']),
      Upgrade: header(route.endsWith('/stream') ? 'websocket' : undefined, ['websocket', 'h2c']),
      'Sec-WebSocket-Key': header(route.endsWith('/stream') ? 'dGhlIHNhbXBsZSBub25jZQ==' : undefined, ['dGhlIHNhbXBsZSBub25jZQ==', '']),
      'Sec-WebSocket-Version': header(route.endsWith('/stream') ? '13' : undefined, ['13', 'x']),
      Connection: header(route.endsWith('/stream') ? 'Upgrade' : undefined, ['Upgrade', 'keep-alive']),
    })
    .map((h) => Object.fromEntries(Object.entries(h).filter((e): e is [string, string] => e[1] !== undefined)));
};

const anyJson = fc.jsonValue({ maxDepth: 3 });

/** An activity with each field present or not, right or wrong. */
const activity = (): fc.Arbitrary<object> =>
  fc.record(
    {
      type: fc.oneof(fc.constantFrom('message', 'event', 'conversationUpdate', 'invoke', 'typing', 'endOfConversation', ''), anyJson),
      text: fc.oneof(fc.constantFrom('更换绑定手机号', '转人工', '6222021234567890128', 'cancel', 'DROP TABLE x;'), fc.string(), anyJson),
      locale: fc.oneof(fc.constantFrom('zh-CN', 'en-US', 'EN', ' en-us ', 'xx-YY-ZZ-0000'), anyJson),
      channelId: fc.oneof(fc.constant('fuzz'), anyJson),
      conversation: fc.oneof(fc.record({ id: fc.oneof(fc.constant('fuzz-c'), fc.string({ maxLength: 40 }), anyJson) }), anyJson),
      from: fc.oneof(fc.record({ id: fc.oneof(fc.constant('fuzzer'), anyJson), name: anyJson }), anyJson),
      recipient: anyJson,
      serviceUrl: fc.oneof(fc.constantFrom('http://127.0.0.1:1/unused', 'javascript:alert(1)', 'file:///etc/passwd'), anyJson),
      deliveryMode: fc.oneof(fc.constant('expectReplies'), anyJson),
      id: anyJson,
      value: anyJson,
      name: fc.oneof(fc.constant('handoff.status'), anyJson),
      channelData: anyJson,
      attachments: anyJson,
      entities: anyJson,
      suggestedActions: anyJson,
      membersAdded: anyJson,
      timestamp: anyJson,
    },
    { requiredKeys: [] },
  );

const HUGE = Buffer.from(`{"type":"message","text":"${'x'.repeat(1_100_000)}"}`);
const BOMB_GZIP = gzipSync(Buffer.alloc(50 * 1024 * 1024, ' '));
const BOMB_DEFLATE = deflateSync(Buffer.alloc(20 * 1024 * 1024, '['));

const body = (): fc.Arbitrary<Buffer | undefined> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: activity().map((a) => Buffer.from(JSON.stringify(a))) },
    // A good activity with a few fields made wrong: it gets past the refusals into a turn.
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom('fuzz-a', 'fuzz-b', 'fuzz-c'), activity())
        .chain(([conversation, wrong]) =>
          fc.subarray(Object.keys(wrong), { maxLength: 3 }).map((keys) => ({ ...ACTIVITY(conversation), ...Object.fromEntries(keys.map((k) => [k, (wrong as Record<string, unknown>)[k]])) })),
        )
        .map((a) => Buffer.from(JSON.stringify(a))),
    },
    { weight: 2, arbitrary: anyJson.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: fc.constantFrom(HUGE, BOMB_GZIP, BOMB_DEFLATE, gzipSync('{"type":"message"}'), Buffer.from('['.repeat(100_000)), Buffer.from('{"a":'.repeat(50_000)), Buffer.from('{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},"type":"message"}'), Buffer.from('\uFEFF{"type":"message"}'), Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0x7b, 0x7d])) },
  );

/** How the length is declared: truthfully, or not. A body shorter than declared may get no answer. */
const framing = fc.constantFrom('honest', 'honest', 'honest', 'honest', 'short', 'long', 'garbage', 'chunked');

interface FuzzRequest {
  method: string;
  target: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  framing: string;
}

function encode(r: FuzzRequest): { bytes: Buffer; complete: boolean } {
  const headers = { ...r.headers };
  const body = r.body ?? Buffer.alloc(0);
  let payload: Buffer = body;
  let complete = true;
  switch (r.framing) {
    case 'short': // declares less than it sends: the rest reads as a second request
      headers['Content-Length'] = String(Math.max(0, body.length - 5));
      break;
    case 'long': // declares more than it sends: the server waits for the rest
      headers['Content-Length'] = String(body.length + 10);
      complete = false;
      break;
    case 'garbage':
      headers['Content-Length'] = '-1, 12';
      break;
    case 'chunked':
      headers['Transfer-Encoding'] = 'chunked';
      payload = body.length === 0 ? Buffer.from('0\r\n\r\n') : Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
      break;
    default:
      if (r.body !== undefined) headers['Content-Length'] = String(body.length);
  }
  return { bytes: requestText(r.method, r.target, { headers, body: payload }), complete };
}

function describe1(r: FuzzRequest, answer: RawAnswer): string {
  const body = r.body === undefined ? 'no body' : `${r.body.length} bytes: ${r.body.subarray(0, 120).toString('utf8')}`;
  return `${r.method} ${r.target.slice(0, 200)} ${JSON.stringify(r.headers)} [${r.framing}] ${body}\n→ ${answer.timedOut ? 'no answer in time' : answer.text.slice(0, 300)}`;
}

/** How many answers of each status the fuzzing got: it must reach past the refusals. */
const seen = new Map<string, number>();

/** Sends one fuzzed request; fails on a 5xx, on silence, or on a dead process. */
async function check(r: FuzzRequest): Promise<void> {
  const { bytes, complete } = encode(r);
  const answer = await rawRequest(bot.port, bytes, { timeoutMs: complete ? ANSWER_WITHIN_MS : 1500, endAfterWrite: !complete });
  const status = String(answer.status ?? 'none');
  seen.set(status, (seen.get(status) ?? 0) + 1);
  if (answer.status !== undefined && answer.status >= 500) throw new Error(`5xx for a client's request:\n${describe1(r, answer)}`);
  if (complete && answer.timedOut) throw new Error(`no answer within ${ANSWER_WITHIN_MS} ms:\n${describe1(r, answer)}`);
  if (!bot.alive()) throw new Error(`the bot died:\n${describe1(r, answer)}\n${bot.output().slice(-2000)}`);
}

// ---- The tests ----------------------------------------------------------------------------------

test('200 malformed requests at once, decompression bombs among them, raise its memory by < 100 MB', async () => {
  // Warm: the modules and caches a first turn loads are not what is measured.
  await new ExpectRepliesClient(bot.base, 'fuzz-warm').say('你好');
  const before = await bot.rssBytes();
  let peak = before;
  const sampler = setInterval(() => {
    bot.rssBytes().then(
      (rss) => (peak = Math.max(peak, rss)),
      () => undefined,
    );
  }, 25);
  const json = { 'Content-Type': 'application/json' };
  const kinds: Array<() => { bytes: Buffer; complete: boolean }> = [
    () => ({ bytes: requestText('POST', '/api/messages', { headers: { ...json, 'Content-Encoding': 'gzip' }, body: BOMB_GZIP }), complete: true }),
    () => ({ bytes: requestText('POST', '/api/messages', { headers: { ...json, 'Content-Encoding': 'deflate' }, body: BOMB_DEFLATE }), complete: true }),
    () => ({ bytes: requestText('POST', '/api/directline/token', { headers: { ...json, 'Content-Encoding': 'gzip' }, body: BOMB_GZIP }), complete: true }),
    () => ({ bytes: requestText('POST', '/api/messages', { headers: { ...json, 'Content-Encoding': 'gzip' }, body: '{"type":"message"}' }), complete: true }),
    () => ({ bytes: requestText('POST', '/api/messages', { headers: { ...json, 'Content-Length': String(50 * 1024 * 1024) } }), complete: true }),
    () => ({ bytes: requestText('POST', '/api/messages', { headers: json, body: HUGE }), complete: true }),
    () => ({ bytes: requestText('POST', '/api/messages', { headers: json, body: '{"type":' + '"x",'.repeat(20_000) }), complete: true }),
    () => ({ bytes: requestText('POST', '/api/messages', { headers: json, body: JSON.stringify({ ...ACTIVITY('fuzz-mem'), locale: 12345, text: 42 }) }), complete: true }),
  ];
  const answers = await Promise.all(
    Array.from({ length: 200 }, (_, i) => {
      const { bytes, complete } = (kinds[i % kinds.length] as () => { bytes: Buffer; complete: boolean })();
      return rawRequest(bot.port, bytes, { timeoutMs: 15_000, endAfterWrite: !complete });
    }),
  );
  clearInterval(sampler);
  const after = await bot.rssBytes();
  peak = Math.max(peak, after);
  const statuses = answers.map((a) => a.status);
  expect(statuses.filter((s) => s === undefined || s >= 500)).toEqual([]);
  expect(new Set(statuses)).toEqual(new Set([415, 413, 400, 200]));
  const grewMb = (peak - before) / 1024 / 1024;
  process.stdout.write(`memory: ${Math.round(before / 1048576)} MB before, peak +${grewMb.toFixed(1)} MB during 200 malformed requests\n`);
  expect(grewMb).toBeLessThan(100);
}, 60_000);

test(`${RUNS} fuzzed requests over every surface: never a 5xx, always answered, the process alive`, async () => {
  const request = fc
    .constantFrom(...ROUTES)
    .chain(([methods, route]) => fc.record({ method: method(methods), target: target(route), headers: headers(route), body: body(), framing }));
  const replay = process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED), ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}) } : {};
  await fc.assert(fc.asyncProperty(request, check), { numRuns: RUNS, ...replay });
  process.stdout.write(`fuzz answers by status: ${JSON.stringify(Object.fromEntries([...seen].sort()))}\n`);
  // Not only refusals: turns ran, pages and streams were served.
  expect(seen.get('200') ?? 0).toBeGreaterThan(RUNS / 20);
}, 10 * 60_000);

test('after all that, a customer changes a number, over /api/messages and over Direct Line', async () => {
  const client = new ExpectRepliesClient(bot.base, 'fuzz-after');
  const done = await changeNumber(client, {
    customer: ZHANG,
    to: FRESH,
    codeFor: (phone) => lastCodeInOutbox(dataDir, phone),
  });
  expect(cd(done)).toMatchObject({ key: 'change.done', outcome: 'phoneChanged' });

  // The widget's way in still works: a fresh token, a conversation, a message, the bot's answer.
  const token = (await (await fetch(`${bot.base}/api/directline/token`, { method: 'POST' })).json()) as typeof dl;
  const auth = { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' };
  expect((await fetch(`${bot.base}/v3/directline/conversations`, { method: 'POST', headers: auth })).status).toBe(201);
  const url = `${bot.base}/v3/directline/conversations/${encodeURIComponent(token.conversationId)}/activities`;
  expect((await fetch(url, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'message', text: '更换绑定手机号', from: { id: 'x' } }) })).status).toBe(200);
  const { activities } = (await (await fetch(url, { headers: auth })).json()) as { activities: Array<{ channelData?: unknown }> };
  expect(activities.map((a) => cd(a).expecting)).toContain('cardNumber');
});
