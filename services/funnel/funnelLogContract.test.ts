import { redisForTests, uniquePrefix } from '../../tests/support/redis';
import { openDatabase } from '../platform/openDatabase';
import { conversationHash, type FunnelLog } from './index';
import { createRedisFunnelLog } from './redis';
import { createSqliteFunnelLog } from './sqlite';

const redis = redisForTests();

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

test('conversationHash: 12 hex digits, stable, not the id', () => {
  const h = conversationHash('rebind/test/conv-1');
  expect(h).toMatch(/^[0-9a-f]{12}$/);
  expect(conversationHash('rebind/test/conv-1')).toBe(h);
  expect(conversationHash('rebind/test/conv-2')).not.toBe(h);
});
