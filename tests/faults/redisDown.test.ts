import Redis from 'ioredis';
import { cd, createHarness, last, type Harness } from '../support/harness';
import { startRedisServer, uniquePrefix, type RedisProcess } from '../support/redis';
import { ZHANG } from '../support/demo';

/**
 * Redis unavailable (STORAGE=redis): the turn fails closed with a clear message, nothing is done, and
 * the conversation goes on where it was once Redis answers again.
 */

jest.setTimeout(60_000);

let redis: RedisProcess;
const prefix = uniquePrefix('down');
let h: Harness;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  h?.dispose();
  redis.resume();
  await redis.stop();
});

test('a frozen Redis: error.unavailable, no code sent; after it is back, the same question goes on', async () => {
  h = await createHarness({ env: { STORAGE: 'redis', REDIS_URL: redis.url, REDIS_PREFIX: prefix } });
  const c = h.conversation('down');
  await c.join();
  await c.say('换手机号');
  expect(cd(last(await c.say(ZHANG.card))).expecting).toBe('idNumber');

  redis.pause();
  try {
    const replies = await c.say(ZHANG.id);
    expect(replies.map((r) => cd(r).key)).toEqual(['error.unavailable']);
    expect(replies[0]?.text).not.toContain(ZHANG.id);
    expect(h.sms.sent).toHaveLength(0);
    // A retry while Redis is still away fails the same way, quickly, and the bot does not crash.
    expect(cd(last(await c.say(ZHANG.id))).key).toBe('error.unavailable');
  } finally {
    redis.resume();
  }

  // A lock request that timed out may have run once Redis thawed: it is released, not left to
  // block the conversation until it lapses.
  const probe = new Redis(redis.url);
  let stale: string[] = [];
  for (let i = 0; i < 40; i++) {
    stale = await probe.keys(`${h.redisPrefix ?? prefix}lock:*`);
    if (stale.length === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  probe.disconnect();
  expect(stale).toEqual([]);

  // Back: the conversation was kept as it was before the failed turns (the ID is asked for).
  let reply = last(await c.say(ZHANG.id));
  for (let i = 0; i < 20 && cd(reply).key === 'error.unavailable'; i++) {
    await new Promise((r) => setTimeout(r, 250)); // the client reconnects in the background
    reply = last(await c.say(ZHANG.id));
  }
  expect(cd(reply).expecting).toBe('oldPhone');
  expect(h.logLines.some((l) => l.includes('turn failed'))).toBe(true);
});
