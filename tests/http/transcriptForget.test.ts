import { conversationHash } from '../../services/funnel';
import { startTestServer, type TestServer } from '../support/server';

jest.setTimeout(60_000);

const TOKEN = 'tok-aaaaaaaaaaaaaaaa';
const DAY = 24 * 3600_000;
// Characters a channel puts in its conversation ids: '/' between channel and id, '|', ':', ';', '%'.
const MINE = 'webchat/3kd9Zq|0001;messageid=9:x%y';
const OTHER = 'emulator/other-conversation';

let now = Date.UTC(2001, 0, 1, 9, 0, 0);
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(
    { AGENT_TOKENS: `a01:王丽:${TOKEN}`, TRANSCRIPT_RETENTION_DAYS: '2' },
    { clock: () => now },
  );
});
afterAll(() => server?.dispose());

const forget = (conversationId: string, token?: string) =>
  fetch(`${server.base}/agent/api/conversations/${encodeURIComponent(conversationId)}/transcript`, {
    method: 'DELETE',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });

async function arrange(conversationId: string, word: string): Promise<string> {
  const { transcripts, queue } = server.services;
  await transcripts.append(conversationId, [
    { from: 'customer', text: `${word}: I want a person` },
    { from: 'bot', text: 'One moment' },
  ]);
  const { ticket } = await queue.enqueue({
    conversationId,
    reason: 'customerRequest',
    locale: 'en-US',
    context: { passed: { identity: false, oldCode: false, newCode: false } },
    transcript: await transcripts.recent(conversationId),
  });
  return ticket;
}

test('DELETE /agent/api/conversations/{id}/transcript: an agent deletes a conversation on request, audited', async () => {
  const { transcripts, queue, audit } = server.services;
  const mine = await arrange(MINE, 'kilo');
  const theirs = await arrange(OTHER, 'lima');

  const anonymous = await forget(MINE);
  expect(anonymous.status).toBe(401);
  expect(await anonymous.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  const wrong = await forget(MINE, 'tok-not-an-agent-token');
  expect(wrong.status).toBe(401);
  expect(await transcripts.recent(MINE)).toHaveLength(2);

  const res = await forget(MINE, TOKEN);
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toMatch(/no-store/);
  expect(await res.json()).toEqual({ deleted: 2, tickets: 1 });

  expect(await transcripts.recent(MINE)).toEqual([]);
  expect((await queue.get(mine))?.transcript).toEqual([]);
  expect(await queue.get(mine)).toMatchObject({ status: 'waiting', conversationId: MINE });
  expect(await transcripts.recent(OTHER)).toHaveLength(2);
  expect((await queue.get(theirs))?.transcript).toHaveLength(2);

  const records = (await audit.list()).filter((r) => r.type === 'transcript.forgotten');
  expect(records).toEqual([
    expect.objectContaining({
      conversationId: conversationHash(`rebind/${MINE}`),
      data: { lines: 2, tickets: 1, via: 'console', agent: 'a01' },
    }),
  ]);
  expect(JSON.stringify(records)).not.toContain('3kd9Zq');

  // Again: nothing left, still 200.
  expect(await (await forget(MINE, TOKEN)).json()).toEqual({ deleted: 0, tickets: 0 });
});

test('an empty id, or one with control characters, is refused (400)', async () => {
  const bad = await forget('webchat/a\nb', TOKEN);
  expect(bad.status).toBe(400);
  expect(await bad.json()).toEqual({ error: { code: 'badConversationId', message: expect.any(String) } });
  const none = await fetch(`${server.base}/agent/api/conversations//transcript`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(none.status).toBe(400);
});

test('the retention job runs with TRANSCRIPT_RETENTION_DAYS on the server clock, and stops with the server', async () => {
  const { transcripts, queue, retention } = server.services;
  const old = 'webchat/old-conversation';
  const ticket = await arrange(old, 'mike');
  await queue.cancel(ticket);
  now += 3 * DAY;
  await transcripts.append(old, [{ from: 'customer', text: 'back again' }]);

  const run = await retention.runOnce();
  expect(run?.cutoff).toBe(now - 2 * DAY);
  expect((await transcripts.recent(old)).map((l) => l.text)).toEqual(['back again']);
  expect((await queue.get(ticket))?.transcript).toEqual([]);
  expect(await queue.get(ticket)).toMatchObject({ status: 'cancelled', reason: 'customerRequest' });

  await server.running.stop();
  expect(await retention.runOnce()).toBeUndefined();
});
