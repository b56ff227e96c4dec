import { ExpectRepliesClient } from '../support/httpClient';
import { ZHANG } from '../support/demo';
import { cd, last } from '../support/harness';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.dispose());

async function scrape(): Promise<{ contentType: string; body: string }> {
  const res = await fetch(`${server.base}/metrics`);
  expect(res.status).toBe(200);
  return { contentType: res.headers.get('content-type') ?? '', body: await res.text() };
}

/** The value of one sample line, e.g. `rebind_turns_total{kind="customer"}`. */
function sample(body: string, series: string): number {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  if (!line) throw new Error(`no sample ${series} in:\n${body}`);
  return Number(line.slice(series.length + 1));
}

test('GET /metrics: turns, durations, states, codes — and nothing about the customer', async () => {
  const client = new ExpectRepliesClient(server.base, 'metrics-1');
  await client.join();
  expect(cd(last(await client.say('更换绑定手机号'))).expecting).toBe('cardNumber');
  expect(cd(last(await client.say(ZHANG.card, 'metrics-card'))).expecting).toBe('idNumber');
  // The channel retries the same activity: answered from the record, counted as replayed.
  expect(cd(last(await client.say(ZHANG.card, 'metrics-card'))).expecting).toBe('idNumber');
  await client.say(ZHANG.id);
  expect(cd(last(await client.say(ZHANG.national))).key).toBe('otp.sent.old');

  const { contentType, body } = await scrape();
  expect(contentType).toContain('text/plain; version=0.0.4');

  expect(sample(body, 'rebind_turns_total{kind="customer"}')).toBeGreaterThanOrEqual(5);
  expect(sample(body, 'rebind_turns_total{kind="replayed"}')).toBe(1);
  expect(sample(body, 'rebind_turns_total{kind="proactive"}')).toBe(0);
  // The histogram: one observation per turn that ran the chart (the retry did not).
  expect(body).toContain('# TYPE rebind_turn_duration_seconds histogram');
  const count = sample(body, 'rebind_turn_duration_seconds_count');
  expect(count).toBe(sample(body, 'rebind_turns_total{kind="customer"}'));
  expect(sample(body, 'rebind_turn_duration_seconds_bucket{le="+Inf"}')).toBe(count);
  expect(body).toMatch(/^rebind_turn_duration_seconds_bucket\{le="0\.001"\} \d+$/m);
  expect(body).toMatch(/^rebind_turn_duration_seconds_bucket\{le="5"\} \d+$/m);
  // States after each turn, nested ones as dotted paths.
  expect(sample(body, 'rebind_state_entries_total{state="changing.collectingCard"}')).toBe(1);
  expect(sample(body, 'rebind_state_entries_total{state="changing.collectingId"}')).toBe(1);
  // Derived from the audit records.
  expect(sample(body, 'rebind_codes_sent_total{purpose="old"}')).toBe(1);
  expect(sample(body, 'rebind_codes_sent_total{purpose="new"}')).toBe(0);
  expect(sample(body, 'rebind_handoffs_total{reason="customerRequest"}')).toBe(0);
  expect(sample(body, 'rebind_outcomes_total{outcome="phoneChanged"}')).toBe(0);
  // Node's default metrics, on this server's own registry.
  expect(body).toContain('process_cpu_user_seconds_total');
  expect(body).toContain('nodejs_eventloop_lag_seconds');

  // No customer data: none of what was said, and no run of 6+ digits anywhere but in sample values
  // (process start time and memory sizes are long numbers, and they are not about anyone).
  for (const secret of [ZHANG.card, ZHANG.id, ZHANG.national, 'metrics-1']) expect(body).not.toContain(secret);
  for (const line of body.split('\n').filter((l) => l !== '')) {
    const described = line.startsWith('#') ? line : line.replace(/ [^ ]+( \d+)?$/, '');
    expect(described).not.toMatch(/\d{6,}/);
  }
});

test('each server counts on a registry of its own', async () => {
  const other = await startTestServer();
  try {
    const res = await fetch(`${other.base}/metrics`);
    const body = await res.text();
    expect(sample(body, 'rebind_turns_total{kind="customer"}')).toBe(0);
  } finally {
    await other.dispose();
  }
});
