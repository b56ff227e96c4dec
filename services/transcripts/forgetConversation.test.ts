import { conversationHash } from '../funnel';
import type { AuditLog } from '../audit';
import { createSqliteAuditLog } from '../audit/sqlite';
import type { HandoffQueue } from '../handoff';
import { asyncQueue, createSqliteHandoffQueue } from '../handoff/sqlite';
import { redisQueuesForTests } from '../../tests/support/redisQueues';
import { createRedisTranscriptStore } from './redis';
import { createRedisAuditLog } from '../audit/redis';
import { dumpKeys } from '../../tests/support/dumpKeys';
import { openDatabase } from '../platform/openDatabase';
import { conversationIdFrom, forgetConversation } from './forgetConversation';
import { createSqliteTranscriptStore } from './sqlite';
import type { TranscriptStore } from './index';

const KEY = Buffer.alloc(32, 7);
const MINE = 'webchat/3kd9Zq|0001';
const OTHER = 'emulator/someone-else';

interface Stores {
  transcripts: TranscriptStore;
  queue: HandoffQueue;
  audit: AuditLog;
  raw(): Promise<string>;
}

const redisQueues = redisQueuesForTests('forget');

const backends: Array<[string, () => Stores]> = [
  [
    'SQLite',
    () => {
      const db = openDatabase(':memory:');
      const dump = (table: string) => db.prepare(`SELECT * FROM ${table}`).all();
      return {
        transcripts: createSqliteTranscriptStore({ db }),
        queue: asyncQueue(createSqliteHandoffQueue({ db })),
        audit: createSqliteAuditLog({ db, key: KEY }),
        raw: async () => JSON.stringify([dump('transcript_lines'), dump('handoff_tickets')]),
      };
    },
  ],
  [
    'Redis',
    () => {
      const { queue, redis: connection, prefix } = redisQueues.open();
      return {
        transcripts: createRedisTranscriptStore({ redis: connection, prefix }),
        queue,
        audit: createRedisAuditLog({ redis: connection, prefix, key: KEY }),
        // Everything but the audit log (which keeps the record of the deletion).
        raw: async () => JSON.stringify((JSON.parse(await dumpKeys(connection, prefix)) as Array<[string]>).filter(([k]) => !k.includes(':audit:'))),
      };
    },
  ],
];

describe.each(backends)('forgetting a conversation on request (%s)', (_name, make) => {
  test('deletes its lines and the copies on its tickets, leaves others alone, and audits it by hash', async () => {
    const { transcripts, queue, audit, raw } = make();
    await transcripts.append(MINE, [
      { from: 'customer', text: 'my secret plan' },
      { from: 'bot', text: 'noted' },
      { from: 'customer', text: 'talk to a person' },
    ]);
    await transcripts.append(OTHER, [{ from: 'customer', text: 'other words' }]);
    const ask = (conversationId: string) =>
      queue.enqueue({
        conversationId,
        reason: 'customerRequest',
        locale: 'zh-CN',
        context: { passed: { identity: false, oldCode: false, newCode: false } },
        transcript: conversationId === MINE ? [{ at: 1, from: 'customer', text: 'my secret plan' }] : [{ at: 1, from: 'customer', text: 'other words' }],
      });
    const { ticket: mine } = await ask(MINE);
    const { ticket: theirs } = await ask(OTHER);

    expect(await forgetConversation({ transcripts, queue, audit }, MINE, { via: 'console', agentId: 'a01' })).toEqual({
      lines: 3,
      tickets: 1,
      conversation: conversationHash(`rebind/${MINE}`),
    });

    expect(await transcripts.recent(MINE)).toEqual([]);
    expect((await queue.get(mine))?.transcript).toEqual([]);
    expect(await transcripts.recent(OTHER)).toHaveLength(1);
    expect((await queue.get(theirs))?.transcript).toHaveLength(1);
    expect(await raw()).not.toContain('secret plan');

    const records = (await audit.list()).filter((r) => r.type === 'transcript.forgotten');
    expect(records).toEqual([
      expect.objectContaining({
        conversationId: conversationHash(`rebind/${MINE}`),
        data: { lines: 3, tickets: 1, via: 'console', agent: 'a01' },
      }),
    ]);
    expect(JSON.stringify(records)).not.toContain('3kd9Zq');
    expect(await audit.verify()).toMatchObject({ ok: true });

    // Again (or for a conversation never seen): nothing to delete, and that is recorded too.
    expect(await forgetConversation({ transcripts, queue, audit }, MINE, { via: 'cli' })).toMatchObject({ lines: 0, tickets: 0 });
    expect((await audit.list()).filter((r) => r.type === 'transcript.forgotten').map((r) => r.data)).toEqual([
      { lines: 3, tickets: 1, via: 'console', agent: 'a01' },
      { lines: 0, tickets: 0, via: 'cli' },
    ]);
  });
});

test('a conversation id from a request: non-empty, at most 1000 characters, no control characters', () => {
  expect(conversationIdFrom('webchat/3kd9Zq|0001')).toBe('webchat/3kd9Zq|0001');
  expect(conversationIdFrom('msteams/a:19:x@thread.v2;messageid=1')).toBe('msteams/a:19:x@thread.v2;messageid=1');
  for (const bad of ['', 'x'.repeat(1001), 'a\nb', 'a\u0000b', undefined, 42]) expect(conversationIdFrom(bad)).toBeUndefined();
});
