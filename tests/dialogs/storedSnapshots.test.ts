/**
 * Conversations stored by an earlier build of the chart go on in this one. The fixture
 * (storedSnapshots.v2.json) holds, for every state a turn can end in (13: the questions, the
 * waits with people, idle), a persisted snapshot made by the chart as it was when it was recorded,
 * the turns that follow, and what that chart said and stored after them. Each is restored into
 * today's chart, the same turns are run, and the replies and the stored snapshot must be the same.
 *
 * Recorded once from the one-file chart (dialogs/changePhoneMachine.ts, before it was split by
 * region) with `RECORD_STORED_SNAPSHOTS=1`. Re-record only together with a new SNAPSHOT_VERSION
 * (bot/RebindBot.ts): a stored conversation that no longer restores is what this test is here to catch.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from 'xstate';
import { changePhoneMachine, effectsActor } from '../../dialogs/changePhone';
import type { ChartEvent, Reply } from '../../dialogs/types';
import type { Intent } from '../../domain/intent';
import { runChart } from '../../bot/runChart';
import { SNAPSHOT_VERSION } from '../../bot/RebindBot';
import { answeringEffects } from '../support/answeringEffects';

const FIXTURE = join(__dirname, 'storedSnapshots.v2.json');
const RECORD = process.env.RECORD_STORED_SNAPSHOTS === '1';

const said = (text: string, intent: Intent = 'none'): ChartEvent => ({ type: 'SAID', text, intent });

/**
 * Fake effects, the same on both sides of the recording. What the people side answers depends on
 * the conversation: `…-closed` finds agents out of hours, `…-channel` the channel's own hub.
 */
const recorded: string[] = [];
const machine = changePhoneMachine.provide({
  actors: {
    effects: effectsActor({
      ...answeringEffects,
      requestAgent: async (input) => {
        if (input.conversationId.endsWith('-closed')) return { result: 'closed', opensAt: '09:00' };
        if (input.conversationId.endsWith('-channel')) return { result: 'channel', ticket: 'HCHAN', requestedAt: 1000 };
        return { result: 'queued', ticket: 'HTEST', position: 3, waitMinutes: 6, requestedAt: 1000 };
      },
      relayToAgent: async () => ({ status: 'waiting', position: 2, waitMinutes: 4 }),
      leaveQueue: async () => ({ result: 'left' }),
      requestCallback: async (input) => ({ id: 'cb-1', preferredTime: input.preferredTime }),
    }),
  },
  actions: {
    recordRating: (_, params) => void recorded.push(`rating:${params.ticket}:${params.stars}`),
    recordFeedback: (_, params) => void recorded.push(`feedback:${params.faqId}:${params.helpful}`),
  },
});

const CARD = '6222021234567890128';
const ID = '11010519491231002X';
const OLD = '13800138000';
const NEW = '18612345678';

interface Case {
  /** Where the stored conversation stands. */
  name: string;
  conversationId: string;
  /** Turns from a new conversation to the stored state (run only when recording). */
  before: ChartEvent[][];
  /** Turns after the restore. */
  after: ChartEvent[][];
}

const toOldCode = [[said('换手机号', 'changePhone')], [said(CARD)], [said(ID)], [said(OLD)]];
const toNewCode = [...toOldCode, [said('909090')], [said(NEW)]];
const queued = [[{ type: 'AGENT_REQUESTED' } as ChartEvent]];
const joined: ChartEvent = { type: 'AGENT_JOINED', ticket: 'HTEST', agentName: '王芳' };

const CASES: Case[] = [
  {
    name: 'idle, after a finished change (its masked summary kept)',
    conversationId: 'c-idle',
    before: [...toNewCode, [said('909090')], [said('确认', 'affirm')]],
    after: [[said('你好', 'greeting')], [{ type: 'AGENT_REQUESTED' }]],
  },
  {
    name: 'changing.collectingCard',
    conversationId: 'c-card',
    before: [[said('换手机号', 'changePhone')]],
    after: [[said('我的密码是123456')], [said(CARD)], [{ type: 'HELP_REQUESTED' }]],
  },
  {
    name: 'changing.collectingId',
    conversationId: 'c-id',
    before: [[said('换手机号', 'changePhone')], [said(CARD)]],
    after: [[said('DROP TABLE customers;')], [said(ID)]],
  },
  {
    name: 'changing.collectingOldPhone',
    conversationId: 'c-old',
    before: [[said('换手机号', 'changePhone')], [said(CARD)], [said(ID)]],
    after: [[said(OLD)], [{ type: 'CANCEL_REQUESTED' }]],
  },
  {
    name: 'changing.askingReachable',
    conversationId: 'c-reach',
    before: [[said(`原来的号码停用了，我要换绑手机号 卡号${CARD}`, 'changePhone')], [said(ID)], [said(OLD)]],
    after: [[said('能', 'affirm')], [said('909090')]],
  },
  {
    name: 'changing.awaitingCode, for the current number',
    conversationId: 'c-code-old',
    before: toOldCode,
    after: [[said('123456')], [said('重发', 'resend')], [said('909090')]],
  },
  {
    name: 'changing.collectingNewPhone',
    conversationId: 'c-new',
    before: [...toOldCode, [said('909090')]],
    after: [[{ type: 'ASKED', faqId: 'otpLimits' }], [said(NEW)]],
  },
  {
    name: 'changing.awaitingCode, for the new number',
    conversationId: 'c-code-new',
    before: toNewCode,
    after: [[said('这个号码收不到短信', 'cantReceive')], [said('909090')]],
  },
  {
    name: 'changing.confirming',
    conversationId: 'c-confirm',
    before: [...toNewCode, [said('909090')]],
    after: [[said('确认', 'affirm')]],
  },
  {
    name: 'waitingForAgent',
    conversationId: 'c-wait',
    before: queued,
    after: [
      [said('还要多久')],
      [{ type: 'QUEUE_MOVED', ticket: 'HTEST', position: 1, waitMinutes: 1 }],
      [{ type: 'AGENT_JOINED', ticket: 'HOTHER', agentName: '李' }],
      [joined],
    ],
  },
  {
    name: 'withAgent',
    conversationId: 'c-agent',
    before: [...queued, [joined]],
    after: [
      [said('你好，我要换号')],
      [{ type: 'AGENT_SAID', ticket: 'HTEST', agentName: '王芳', text: '好的' }],
      [{ type: 'AGENT_LEFT', ticket: 'HTEST', how: 'closed' }],
    ],
  },
  {
    name: 'rating',
    conversationId: 'c-rating',
    before: [...queued, [joined], [{ type: 'AGENT_LEFT', ticket: 'HTEST', how: 'returned' }]],
    after: [[said('5')], [said('换手机号', 'changePhone')]],
  },
  {
    name: 'offeringCallback',
    conversationId: 'c-closed',
    before: [[{ type: 'COMPLAINED' }]],
    after: [[said(OLD)], [said('明天上午')]],
  },
  {
    name: 'withChannel',
    conversationId: 'c-channel',
    before: queued,
    after: [[said('在吗')], [{ type: 'HANDOFF_STATUS', state: 'accepted' }], [{ type: 'HANDOFF_STATUS', state: 'completed' }], [said('不用了', 'deny')]],
  },
];

interface Recorded {
  name: string;
  conversationId: string;
  stored: Snapshot<unknown>;
  after: ChartEvent[][];
  /** Per turn after the restore: what the chart said, and where it stood. */
  turns: Array<{ replies: Reply[]; state: unknown }>;
  /** What the chart stored after the last turn, and the effects it recorded. */
  storedAfter: Snapshot<unknown>;
  records: string[];
}

interface Fixture {
  version: number;
  cases: Recorded[];
}

async function play(conversationId: string, snapshot: Snapshot<unknown> | undefined, turns: ChartEvent[][]) {
  recorded.length = 0;
  const out: Recorded['turns'] = [];
  let current = snapshot;
  for (const events of turns) {
    const t = await runChart(machine, { conversationId, snapshot: current, events, timeoutMs: 2000 });
    current = t.snapshot;
    out.push({ replies: t.replies, state: t.stateValue });
  }
  // Through JSON, as a store keeps it (undefined keys dropped).
  const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  return { turns: json(out), snapshot: json(current as Snapshot<unknown>), records: [...recorded] };
}

if (RECORD) {
  test('record the stored conversations (RECORD_STORED_SNAPSHOTS=1)', async () => {
    const cases: Recorded[] = [];
    for (const c of CASES) {
      const before = await play(c.conversationId, undefined, c.before);
      const after = await play(c.conversationId, before.snapshot, c.after);
      cases.push({
        name: c.name,
        conversationId: c.conversationId,
        stored: before.snapshot,
        after: c.after,
        turns: after.turns,
        storedAfter: after.snapshot,
        records: after.records,
      });
    }
    writeFileSync(FIXTURE, JSON.stringify({ version: SNAPSHOT_VERSION, cases } satisfies Fixture, null, 1) + '\n');
  });
} else {
  const fixture = (existsSync(FIXTURE) ? JSON.parse(readFileSync(FIXTURE, 'utf8')) : { version: -1, cases: [] }) as Fixture;

  test('the fixture is for the snapshot version the bot stores, and covers every state a turn can end in', () => {
    expect(fixture.version).toBe(SNAPSHOT_VERSION);
    const states = fixture.cases.map((c) => JSON.stringify('value' in c.stored ? c.stored.value : undefined));
    expect(new Set(states)).toEqual(
      new Set(
        [
          'idle',
          { changing: 'collectingCard' },
          { changing: 'collectingId' },
          { changing: 'collectingOldPhone' },
          { changing: 'askingReachable' },
          { changing: 'awaitingCode' },
          { changing: 'collectingNewPhone' },
          { changing: 'confirming' },
          'waitingForAgent',
          'withAgent',
          'rating',
          'offeringCallback',
          'withChannel',
        ].map((v) => JSON.stringify(v)),
      ),
    );
  });

  test.each(fixture.cases.map((c) => [c.name, c] as const))('a conversation stored at %s goes on as it did', async (_name, c) => {
    const restored = await play(c.conversationId, c.stored, c.after);
    expect(restored.turns).toEqual(c.turns);
    expect(restored.snapshot).toEqual(c.storedAfter);
    expect(restored.records).toEqual(c.records);
  });
}
