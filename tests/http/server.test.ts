import { join } from 'node:path';
import { readOutbox } from '../../services/sms/outbox';
import { ExpectRepliesClient } from '../support/httpClient';
import { ALICE, FRESH, ZHANG } from '../support/demo';
import { cd, last } from '../support/harness';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let base: string;
let outbox: string;

beforeAll(async () => {
  server = await startTestServer();
  base = server.base;
  outbox = join(server.dataDir, 'sms-outbox.jsonl');
});
afterAll(() => server.dispose());

/** The latest code in the outbox for a number. */
function codeFor(phone: string): string {
  const code = readOutbox(outbox)
    .filter((m) => m.to === phone)
    .map((m) => /(\d{6})/.exec(m.text)?.[1])
    .filter(Boolean)
    .at(-1);
  if (!code) throw new Error(`no code in the outbox for ${phone}`);
  return code;
}

test('GET /healthz answers 200 when ready', async () => {
  const res = await fetch(`${base}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok' });
});

test.each([
  ['zh-CN', ZHANG, FRESH, ['更换绑定手机号', '确认']],
  ['en-US', ALICE, { phone: '+8618687654321', national: '18687654321' }, ['change my phone number', 'confirm']],
] as const)('a scripted client (expectReplies) changes a number in %s', async (locale, who, to, words) => {
  const client = new ExpectRepliesClient(base, `http-${locale}`, locale);
  expect(cd((await client.join())[0]).key).toBe('welcome.greeting');
  expect(cd(last(await client.say(words[0]))).expecting).toBe('cardNumber');
  await client.say(who.card);
  await client.say(who.id);
  expect(cd(last(await client.say(who.national))).key).toBe('otp.sent.old');
  await client.say(codeFor(who.phone));
  await client.say(to.national);
  expect(cd(last(await client.say(codeFor(to.phone)))).expecting).toBe('confirm');
  const done = last(await client.say(words[1]));
  expect(cd(done)).toMatchObject({ key: 'change.done', outcome: 'phoneChanged' });
  expect(done?.locale).toBe(locale);
  // Both numbers got a notice in the outbox, in the stable line format.
  for (const phone of [who.phone, to.phone]) {
    const lines = readOutbox(outbox).filter((m) => m.to === phone);
    expect(lines.at(-1)?.text).not.toMatch(/\d{6}/);
    expect(Number.isNaN(Date.parse(lines.at(-1)?.at ?? ''))).toBe(false);
  }
});

test('five messages of one conversation at once are taken one after the other', async () => {
  const client = new ExpectRepliesClient(base, 'http-concurrent');
  await client.say('换手机号');
  // Five wrong answers at once: taken in turn, the 3rd, 4th and 5th miss offer a person. Were they
  // interleaved, each would see the same starting state and none would.
  const replies = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((t) => client.say(t)));
  const agent = '转人工客服';
  const offering = replies.filter((r) => (last(r)?.suggestedActions?.actions ?? []).some((x) => x.title === agent));
  expect(offering).toHaveLength(3);
});

test('a malformed body is refused without crashing the server', async () => {
  const res = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"type":',
  });
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
});
