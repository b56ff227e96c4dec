import { redisForTests, uniquePrefix } from '../../tests/support/redis';
import { createRedisTranscriptStore } from './redis';

// The transcript contract runs on Redis in transcriptStoreContract.test.ts. Here: the cap
// on lines, the expiry, and how the retention purge works on lists.

const DAY = 24 * 3600_000;
const redis = redisForTests();

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

test('refuses a cap below one line, and a keep time below 1 ms', () => {
  expect(() => createRedisTranscriptStore({ redis, prefix: 'x:', maxLines: 0 })).toThrow(RangeError);
  expect(() => createRedisTranscriptStore({ redis, prefix: 'x:', keepMs: 0 })).toThrow(RangeError);
});

test('the expiry is the retention it is given (TRANSCRIPT_RETENTION_DAYS)', async () => {
  const prefix = uniquePrefix('transcripts');
  const store = createRedisTranscriptStore({ redis, prefix, keepMs: 7 * DAY });
  await store.append('c', [{ from: 'bot', text: 'hello' }]);
  expect(await redis.pttl(`${prefix}transcript:c`)).toBeGreaterThan(6 * DAY);
  expect(await redis.pttl(`${prefix}transcript:c`)).toBeLessThanOrEqual(7 * DAY);
});

test('purge trims lists in place: the expiry stays, lines in any JSON order or unreadable are judged too', async () => {
  const prefix = uniquePrefix('transcripts');
  const store = createRedisTranscriptStore({ redis, prefix, clock: () => 5000, scanCount: 2 });
  const key = `${prefix}transcript:web/a|1`;
  await store.append('web/a|1', [{ from: 'customer', text: 'kept' }]);
  const ttl = await redis.pttl(key);
  // Written by hand: another key order (read with cjson), a line without a time, one that is not JSON.
  await redis.rpush(
    key,
    JSON.stringify({ from: 'bot', text: 'old, other order', at: 10 }),
    JSON.stringify({ from: 'bot', text: 'new, other order', at: 6000 }),
    JSON.stringify({ from: 'bot', text: 'no time' }),
    'not json',
  );
  // Many lists, a few per SCAN round trip.
  for (let i = 0; i < 7; i++) await store.append(`c${i}`, [{ from: 'customer', text: `x${i}`, at: i }]);

  expect(await store.purgeOlderThan(1000)).toBe(3 + 7);
  expect((await store.recent('web/a|1')).map((l) => l.text)).toEqual(['kept', 'new, other order']);
  expect(await redis.pttl(key)).toBeGreaterThan(ttl - 60_000);
  // A list emptied by the purge is gone altogether.
  expect(await redis.exists(`${prefix}transcript:c0`)).toBe(0);
});
