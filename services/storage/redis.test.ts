import { randomBytes } from 'node:crypto';
import { redisForTests, uniquePrefix } from '../../tests/support/redis';
import { openDatabase } from '../platform/openDatabase';
import { createRedisStorage } from './redis';
import { createSqliteStorage } from './sqlite';
import { dumpKeys } from '../../tests/support/dumpKeys';

// The Storage contract (eTags, batches, encryption) runs on Redis in storageContract.test.ts.
// Here: what only Redis has — several instances, the key layout, the shared value format.

const KEY = 'emulator/conversations/abc';
const state = { version: 1, snapshot: { value: 'collectingCard', context: { card: '6222021234567890128' } } };

const redis = redisForTests();
const other = redisForTests();

test('another instance (its own connection) reads the state, and the stored eTag still guards its writes', async () => {
  const prefix = uniquePrefix('storage');
  const key = randomBytes(32);
  const a = createRedisStorage({ redis, prefix, encryptionKey: key });
  const b = createRedisStorage({ redis: other, prefix, encryptionKey: key });
  await a.write({ [KEY]: state });
  const item = (await b.read([KEY]))[KEY];
  expect(item).toEqual({ ...state, eTag: expect.any(String) });

  await a.write({ [KEY]: { ...item, version: 2 } });
  await expect(b.write({ [KEY]: { ...item, version: 3 } })).rejects.toThrow('eTag conflict');
  expect((await b.read([KEY]))[KEY]?.version).toBe(2);
});

test('keeps every key under the prefix, one hash per item, with no TTL', async () => {
  const prefix = uniquePrefix('storage');
  const storage = createRedisStorage({ redis, prefix, clock: () => 1234, newETag: () => 'etag-1' });
  await storage.write({ [KEY]: state });
  expect(JSON.parse(await dumpKeys(redis, prefix))).toEqual([
    [`${prefix}storage:${KEY}`, { etag: 'etag-1', value: JSON.stringify(state), updatedAt: '1234' }],
  ]);
  expect(await redis.pttl(`${prefix}storage:${KEY}`)).toBe(-1);
  await storage.delete([KEY]);
  expect(await dumpKeys(redis, prefix)).toBe('[]');
});

test('stores the same format as SqliteStorage: an encrypted value moves from SQLite to Redis as it is', async () => {
  const key = randomBytes(32);
  const db = openDatabase(':memory:');
  try {
    await createSqliteStorage({ db, encryptionKey: key }).write({ [KEY]: state });
    const row = db
      .prepare<[string], { etag: string; value: string }>('SELECT etag, value FROM conversation_state WHERE key = ?')
      .get(KEY);
    const prefix = uniquePrefix('storage');
    await redis.hset(`${prefix}storage:${KEY}`, { etag: row?.etag ?? '', value: row?.value ?? '' });
    expect((await createRedisStorage({ redis, prefix, encryptionKey: key }).read([KEY]))[KEY]).toEqual({
      ...state,
      eTag: row?.etag,
    });
  } finally {
    db.close();
  }
});

test('a key of another type is a bug, not an outage: the reply error passes through', async () => {
  const prefix = uniquePrefix('storage');
  await redis.set(`${prefix}storage:${KEY}`, 'not a hash');
  const storage = createRedisStorage({ redis, prefix });
  await expect(storage.read([KEY])).rejects.toThrow('WRONGTYPE');
  await expect(storage.read([KEY])).rejects.not.toThrow('Redis unavailable');
});
