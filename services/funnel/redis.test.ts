import { redisForTests, uniquePrefix } from '../../tests/support/redis';
import { dumpKeys } from '../../tests/support/dumpKeys';
import { conversationHash } from './index';
import { createRedisFunnelLog } from './redis';

// The funnel log's contract runs on Redis in funnelLogContract.test.ts. Here: what Redis keeps.

const redis = redisForTests();

test('Redis: one list under ${prefix}funnel, holding hashes, not conversation ids', async () => {
  const prefix = uniquePrefix('funnel');
  const hash = conversationHash('rebind/webchat/conv-secret-1');
  await createRedisFunnelLog({ redis, prefix }).record(hash, 'started', 5);
  const dump = await dumpKeys(redis, prefix);
  expect(JSON.parse(dump)).toEqual([[`${prefix}funnel`, [JSON.stringify({ conversation: hash, step: 'started', at: 5 })]]]);
  expect(dump).not.toContain('conv-secret-1');
});
