import type { Activity } from 'botbuilder';
import { startFakeChannel, type FakeChannel } from '../support/channel';
import { cd } from '../support/harness';
import { startTestServer, type TestServer } from '../support/server';

/**
 * The Bot Framework Emulator posts activities without expectReplies and receives the bot's replies
 * on its own connector endpoint (serviceUrl). This stands in for that endpoint.
 */
let channel: FakeChannel;
let connectorUrl: string;
let received: FakeChannel['received'];
let server: TestServer;

beforeAll(async () => {
  channel = await startFakeChannel();
  connectorUrl = channel.url;
  received = channel.received;

  server = await startTestServer();
});
afterAll(async () => {
  await server.dispose();
  await channel.close();
});

test('like the Emulator: no app id, replies posted back to the serviceUrl of the conversation', async () => {
  const res = await fetch(`${server.base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      id: 'emu-1',
      text: 'I want to change my bound phone number',
      locale: 'en-US',
      channelId: 'emulator',
      serviceUrl: connectorUrl,
      conversation: { id: 'emu-conv' },
      from: { id: 'emu-user', name: 'User' },
      recipient: { id: 'rebind', name: 'Bot' },
    }),
  });
  expect(res.status).toBe(200);
  expect(received.map((r) => r.path)).toEqual([
    '/v3/conversations/emu-conv/activities/emu-1',
    '/v3/conversations/emu-conv/activities/emu-1',
  ]);
  expect(cd(received[1]?.activity)).toMatchObject({ key: 'ask.cardNumber', expecting: 'cardNumber' });
  expect(received[1]?.activity.locale).toBe('en-US');
});

describe('a person, like the Emulator sees it', () => {
  let withAgents: TestServer;
  const TOKEN = 'tok-emulator-agent-0001';
  const api = (path: string, body?: unknown) =>
    fetch(`${withAgents.base}/agent/api${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
  const say = (id: string, text: string) =>
    fetch(`${withAgents.base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id,
        text,
        locale: 'zh-CN',
        channelId: 'emulator',
        serviceUrl: connectorUrl,
        conversation: { id: 'emu-person' },
        from: { id: 'emu-user', name: 'User' },
        recipient: { id: 'rebind', name: 'Bot' },
      }),
    });
  /** What reached the Emulator's endpoint after `from`, once `count` replies are there. */
  async function repliesAfter(from: number, count: number): Promise<Array<Partial<Activity>>> {
    for (let i = 0; i < 200 && received.length < from + count; i++) await new Promise((r) => setTimeout(r, 25));
    await withAgents.running.relay.idle();
    return received.slice(from).map((r) => r.activity);
  }

  beforeAll(async () => {
    withAgents = await startTestServer({ AGENT_TOKENS: `e01:周敏:${TOKEN}` });
  });
  afterAll(() => withAgents.dispose());

  test("the agent's replies arrive as proactive messages on the customer's own channel, and back to the bot", async () => {
    let mark = received.length;
    expect((await say('p-1', '转人工')).status).toBe(200);
    const queued = await repliesAfter(mark, 1);
    expect(cd(queued.at(-1))).toMatchObject({ key: 'handoff.queued', outcome: 'handedOff', handoff: { position: 1 } });
    const ticket = String((cd(queued.at(-1)).handoff as { ticket: string }).ticket);

    mark = received.length;
    expect((await api(`/tickets/${ticket}/claim`)).status).toBe(200);
    expect(cd((await repliesAfter(mark, 1))[0])).toMatchObject({ key: 'handoff.connected', handoff: { agentName: '周敏' } });

    mark = received.length;
    expect((await api(`/tickets/${ticket}/messages`, { text: '您好，请问有什么可以帮您？' })).status).toBe(200);
    const [message] = await repliesAfter(mark, 1);
    expect(cd(message)).toMatchObject({ key: 'handoff.agentMessage', handoff: { from: 'agent' } });
    expect(message?.text).toContain('您好，请问有什么可以帮您？');
    expect(received.at(-1)?.path.startsWith('/v3/conversations/emu-person/activities')).toBe(true);

    // The customer's answer reaches the agent, and nothing comes back from the bot.
    mark = received.length;
    expect((await say('p-2', '我的旧号码停机了')).status).toBe(200);
    const state = (await (
      await fetch(`${withAgents.base}/agent/api/state`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { mine: Array<{ transcript: Array<{ from: string; text: string }> }> };
    expect(state.mine[0]?.transcript.at(-1)).toMatchObject({ from: 'customer', text: '我的旧号码停机了' });
    expect(received.length).toBe(mark);

    mark = received.length;
    expect((await api(`/tickets/${ticket}/handback`)).status).toBe(200);
    const back = await repliesAfter(mark, 2);
    expect(back.map((a) => cd(a).key)).toEqual(['handoff.ended.returned', 'ask.rating']);
  });
});
