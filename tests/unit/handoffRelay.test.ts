import { startHandoffRelay } from '../../bot/handoffRelay';
import type { ChartEvent } from '../../dialogs/types';
import { asyncQueue, createSqliteHandoffQueue } from '../../services/handoff/sqlite';
import { openDatabase } from '../../services/platform/openDatabase';

const CONTEXT = { passed: { identity: false, oldCode: false, newCode: false } };

function fakeBot() {
  const delivered: Array<{ conversationId: string; event: ChartEvent }> = [];
  return {
    delivered,
    notify: async (conversationId: string, events: ChartEvent[]) => {
      for (const event of events) delivered.push({ conversationId, event });
      return true;
    },
  };
}

test('queue events become chart events for the conversation concerned', async () => {
  const queue = asyncQueue(createSqliteHandoffQueue({ db: openDatabase(':memory:'), newTicket: () => 'T1' }));
  const bot = fakeBot();
  const relay = startHandoffRelay({ queue, bot, agentName: (id) => `name-${id}` });
  await queue.enqueue({ conversationId: 'test/a', reason: 'customerRequest', locale: 'zh-CN', context: CONTEXT });
  await queue.claim('T1', 'a01');
  await queue.addLine('T1', { from: 'customer', text: 'hi' });
  await queue.addLine('T1', { from: 'agent', text: '您好' });
  await queue.handBack('T1', 'a01');
  await relay.idle();
  expect(bot.delivered.map((d) => d.event)).toEqual([
    { type: 'QUEUE_MOVED', ticket: 'T1', position: 1, waitMinutes: 5 },
    { type: 'AGENT_JOINED', ticket: 'T1', agentName: 'name-a01' },
    { type: 'AGENT_SAID', ticket: 'T1', agentName: 'name-a01', text: '您好' },
    { type: 'AGENT_LEFT', ticket: 'T1', how: 'returned' },
  ]);
  expect(new Set(bot.delivered.map((d) => d.conversationId))).toEqual(new Set(['test/a']));
  relay.stop();
});

test('with several instances hearing every event, each event is delivered once', async () => {
  const queue = asyncQueue(createSqliteHandoffQueue({ db: openDatabase(':memory:'), newTicket: () => 'T1' }));
  const claimed = new Set<string>();
  const claimDelivery = async (id: string) => {
    if (claimed.has(id)) return false;
    claimed.add(id);
    return true;
  };
  const a = fakeBot();
  const b = fakeBot();
  const relays = [a, b].map((bot) => startHandoffRelay({ queue, bot, agentName: (id) => id, claimDelivery }));
  await queue.enqueue({ conversationId: 'test/a', reason: 'customerRequest', locale: 'zh-CN', context: CONTEXT });
  await queue.claim('T1', 'a01');
  await queue.addLine('T1', { from: 'agent', text: '您好' });
  await Promise.all(relays.map((r) => r.idle()));
  const all = [...a.delivered, ...b.delivered].map((d) => d.event.type).sort();
  expect(all).toEqual(['AGENT_JOINED', 'AGENT_SAID', 'QUEUE_MOVED']);
  relays.forEach((r) => r.stop());
});
