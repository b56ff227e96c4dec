import Redis from 'ioredis';
import { testRedisUrl, uniquePrefix } from '../../tests/support/redis';
import { openDatabase } from '../platform/openDatabase';
import { dumpKeys } from '../redis/testing/dumpKeys';
import { conversationHash, createRedisFunnelLog, createSqliteFunnelLog, type FunnelLog } from './index';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(() => redis.disconnect());

const stores: Array<[string, () => FunnelLog]> = [
  ['SQLite', () => createSqliteFunnelLog({ db: openDatabase(':memory:') })],
  ['Redis', () => createRedisFunnelLog({ redis, prefix: uniquePrefix('funnel') })],
];

describe.each(stores)('funnel log (%s)', (_name, open) => {
  test('keeps every event in the order recorded', async () => {
    const log = open();
    expect(await log.all()).toEqual([]);
    await log.record('aaa', 'started', 1000);
    await log.record('bbb', 'started', 1000);
    await log.record('aaa', 'cardNumber', 2000);
    await log.record('aaa', 'handedOff', 1500);
    expect(await log.all()).toEqual([
      { conversation: 'aaa', step: 'started', at: 1000 },
      { conversation: 'bbb', step: 'started', at: 1000 },
      { conversation: 'aaa', step: 'cardNumber', at: 2000 },
      { conversation: 'aaa', step: 'handedOff', at: 1500 },
    ]);
  });
});

test('SQLite: table funnel_events, opened twice on one file without harm', async () => {
  const db = openDatabase(':memory:');
  await createSqliteFunnelLog({ db }).record('aaa', 'started', 1);
  expect(await createSqliteFunnelLog({ db }).all()).toHaveLength(1);
  expect(db.prepare('SELECT conversation, step, at FROM funnel_events').all()).toEqual([{ conversation: 'aaa', step: 'started', at: 1 }]);
});

test('Redis: one list under ${prefix}funnel, holding hashes, not conversation ids', async () => {
  const prefix = uniquePrefix('funnel');
  const hash = conversationHash('rebind/webchat/conv-secret-1');
  await createRedisFunnelLog({ redis, prefix }).record(hash, 'started', 5);
  const dump = await dumpKeys(redis, prefix);
  expect(JSON.parse(dump)).toEqual([[`${prefix}funnel`, [JSON.stringify({ conversation: hash, step: 'started', at: 5 })]]]);
  expect(dump).not.toContain('conv-secret-1');
});

test('conversationHash: 12 hex digits, stable, not the id', () => {
  const h = conversationHash('rebind/test/conv-1');
  expect(h).toMatch(/^[0-9a-f]{12}$/);
  expect(conversationHash('rebind/test/conv-1')).toBe(h);
  expect(conversationHash('rebind/test/conv-2')).not.toBe(h);
});
