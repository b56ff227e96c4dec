import Redis from 'ioredis';
import { testRedisUrl, uniquePrefix } from '../../tests/support/redis';
import { createRedisTranscriptStore } from './index';

// The transcript contract runs on Redis in services/transcripts/transcriptStore.test.ts. Here: the cap
// on lines and the expiry.

const DAY = 24 * 3600_000;
let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(() => redis.disconnect());

test('keeps the last 200 lines of a conversation', async () => {
  const prefix = uniquePrefix('transcripts');
  let now = 0;
  const store = createRedisTranscriptStore({ redis, prefix, clock: () => now++ });
  for (let i = 0; i < 5; i++) {
    const lines = Array.from({ length: 50 }, (_, j) => ({ from: 'customer' as const, text: `line ${i * 50 + j}` }));
    await store.append('c', lines);
  }
  expect(await redis.llen(`${prefix}transcript:c`)).toBe(200);
  const all = await store.recent('c', 1000);
  expect(all).toHaveLength(200);
  expect(all[0]?.text).toBe('line 50');
  expect(all[199]?.text).toBe('line 249');
  expect((await store.recent('c')).map((l) => l.at)).toEqual(Array.from({ length: 50 }, (_, i) => 200 + i));
});

test('a conversation expires 30 days after its last line; each append starts the 30 days again', async () => {
  const prefix = uniquePrefix('transcripts');
  const store = createRedisTranscriptStore({ redis, prefix });
  const key = `${prefix}transcript:c`;
  await store.append('c', [{ from: 'bot', text: 'hello' }]);
  expect(await redis.pttl(key)).toBeGreaterThan(29 * DAY);
  expect(await redis.pttl(key)).toBeLessThanOrEqual(30 * DAY);
  await redis.pexpire(key, 1000);
  await store.append('c', [{ from: 'customer', text: 'hi' }]);
  expect(await redis.pttl(key)).toBeGreaterThan(29 * DAY);
});

test('refuses a cap below one line', () => {
  expect(() => createRedisTranscriptStore({ redis, prefix: 'x:', maxLines: 0 })).toThrow(RangeError);
});
