import { randomBytes } from 'node:crypto';
import type { Storage } from 'botbuilder';
import { redisForTests, uniquePrefix } from '../../tests/support/redis';
import { openDatabase } from '../platform/openDatabase';
import type { Db } from '../platform/openDatabase';
import { createRedisStorage } from './redis';
import { createSqliteStorage } from './sqlite';
import { isTrackedStorage, UNCHANGED } from './index';

const KEY = 'conversations/emulator/abc';
const CARD = '6222021234567890128';
const ID = '11010519491231002X';
const state = { version: 1, snapshot: { value: 'collectingId', context: { card: CARD, id: ID } } };

const rawValue = (db: Db, key: string): string | undefined =>
  db.prepare<[string], { value: string }>('SELECT value FROM conversation_state WHERE key = ?').get(key)?.value;

/** One test's store, whatever holds it: every storage made by `make` shares it. */
interface Backend {
  make(options?: { encryptionKey?: Buffer }): Storage;
  /** The value as stored (what someone reading the database or Redis sees). */
  raw(key: string): Promise<string | undefined>;
  /** Copies a stored item under another key, as someone with write access to the store could. */
  copy(from: string, to: string): Promise<void>;
  close(): void;
}

const redis = redisForTests();

// The same contract for every implementation of the port: the bot cannot tell them apart.
const backends: Array<[string, () => Backend]> = [
  [
    'SqliteStorage',
    () => {
      const db = openDatabase(':memory:');
      return {
        make: (options = {}) => createSqliteStorage({ db, ...options }),
        raw: async (key) => rawValue(db, key),
        copy: async (from, to) => {
          db.prepare('INSERT INTO conversation_state (key, etag, value, updated_at) SELECT ?, etag, value, 0 FROM conversation_state WHERE key = ?')
            .run(to, from);
        },
        close: () => db.close(),
      };
    },
  ],
  [
    'RedisStorage',
    () => {
      const prefix = uniquePrefix('storage');
      const redisKey = (key: string) => `${prefix}storage:${key}`;
      return {
        make: (options = {}) => createRedisStorage({ redis, prefix, ...options }),
        raw: async (key) => (await redis.hget(redisKey(key), 'value')) ?? undefined,
        copy: async (from, to) => {
          await redis.hset(redisKey(to), await redis.hgetall(redisKey(from)));
        },
        close: () => undefined,
      };
    },
  ],
];

describe.each(backends)('%s', (_name, open) => {
  let store: Backend;
  beforeEach(() => (store = open()));
  afterEach(() => store.close());

  it('reads back what it wrote, with an eTag, and skips missing keys', async () => {
    const storage = store.make();
    await storage.write({ [KEY]: state, other: { n: 1 } });
    const items = await storage.read([KEY, 'other', 'missing']);
    expect(Object.keys(items).sort()).toEqual([KEY, 'other']);
    expect(items[KEY]).toEqual({ ...state, eTag: expect.any(String) });
    expect(items['other'].eTag).not.toBe(items[KEY].eTag);
  });

  it('does not change the object it was given', async () => {
    const storage = store.make();
    const item = { a: 1, eTag: '*' };
    await storage.write({ k: item });
    expect(item).toEqual({ a: 1, eTag: '*' });
  });

  it('deletes', async () => {
    const storage = store.make();
    await storage.write({ a: { n: 1 }, b: { n: 2 } });
    await storage.delete(['a', 'nope']);
    expect(Object.keys(await storage.read(['a', 'b']))).toEqual(['b']);
  });

  it('gives every write a new eTag and refuses a stale one', async () => {
    const storage = store.make();
    await storage.write({ k: { n: 1 } });
    const first = (await storage.read(['k']))['k'];
    await storage.write({ k: { ...first, n: 2 } }); // matching eTag: accepted
    const second = (await storage.read(['k']))['k'];
    expect(second.n).toBe(2);
    expect(second.eTag).not.toBe(first.eTag);

    await expect(storage.write({ k: { ...first, n: 3 } })).rejects.toThrow('eTag conflict');
    expect((await storage.read(['k']))['k']).toEqual(second);
  });

  it("lets '*' and a missing eTag overwrite (last writer wins)", async () => {
    const storage = store.make();
    await storage.write({ k: { n: 1 } });
    await storage.write({ k: { n: 2, eTag: '*' } });
    expect((await storage.read(['k']))['k'].n).toBe(2);
    await storage.write({ k: { n: 3 } });
    expect((await storage.read(['k']))['k'].n).toBe(3);
  });

  it('writeOne gives the new eTag, and readUnlessUnchanged skips an item whose eTag the caller holds', async () => {
    const storage = store.make({ encryptionKey: randomBytes(32) });
    if (!isTrackedStorage(storage)) throw new Error('every adapter tracks eTags');
    const eTag = await storage.writeOne(KEY, state);
    expect((await storage.read([KEY]))[KEY]?.eTag).toBe(eTag);
    expect(await storage.readUnlessUnchanged(KEY, eTag)).toBe(UNCHANGED);
    // Someone else wrote (another instance): the item comes back, decoded, with its new eTag.
    await storage.write({ [KEY]: { ...state, version: 2 } });
    const changed = await storage.readUnlessUnchanged(KEY, eTag);
    expect(changed).toEqual({ ...state, version: 2, eTag: expect.any(String) });
    expect((changed as { eTag: string }).eTag).not.toBe(eTag);
    // Gone: nothing, whatever the caller holds.
    await storage.delete([KEY]);
    expect(await storage.readUnlessUnchanged(KEY, eTag)).toBeUndefined();
    // An item that is gone is written again, whatever eTag the writer held (MemoryStorage's rule).
    await storage.writeOne(KEY, { ...state, eTag });
    expect((await storage.read([KEY]))[KEY]).toEqual({ ...state, eTag: expect.any(String) });
    // A stale eTag is refused by writeOne as by write.
    const first = await storage.writeOne(KEY, state);
    await storage.writeOne(KEY, { ...state, eTag: first });
    await expect(storage.writeOne(KEY, { ...state, eTag: first })).rejects.toThrow('eTag conflict');
  });

  it('writes a batch all or nothing', async () => {
    const storage = store.make();
    await storage.write({ k: { n: 1 } });
    await expect(storage.write({ fresh: { n: 1 }, k: { n: 2, eTag: 'stale' } })).rejects.toThrow('eTag conflict');
    expect(await storage.read(['fresh'])).toEqual({});
  });

  it('stores plain JSON without a key', async () => {
    const storage = store.make();
    await storage.write({ [KEY]: state });
    expect(JSON.parse((await store.raw(KEY)) ?? '')).toEqual(state);
  });

  describe('with an encryption key', () => {
    const key = randomBytes(32);

    it('keeps card and ID numbers out of the database file and reads them back', async () => {
      const storage = store.make({ encryptionKey: key });
      await storage.write({ [KEY]: state });
      const raw = (await store.raw(KEY)) ?? '';
      expect(raw).not.toContain(CARD);
      expect(raw).not.toContain(ID);
      expect(raw).not.toContain('collectingId');
      expect((await storage.read([KEY]))[KEY]).toEqual({ ...state, eTag: expect.any(String) });
    });

    it('uses a fresh IV for every write', async () => {
      const storage = store.make({ encryptionKey: key });
      await storage.write({ [KEY]: state });
      const a = await store.raw(KEY);
      await storage.write({ [KEY]: state });
      expect(await store.raw(KEY)).not.toBe(a);
    });

    it('fails with the wrong key, with no key, and for a value moved to another key', async () => {
      await store.make({ encryptionKey: key }).write({ [KEY]: state });
      await expect(store.make({ encryptionKey: randomBytes(32) }).read([KEY])).rejects.toThrow('cannot decrypt');
      await expect(store.make().read([KEY])).rejects.toThrow('no encryption key');
      await store.copy(KEY, 'moved');
      await expect(store.make({ encryptionKey: key }).read(['moved'])).rejects.toThrow('cannot decrypt');
    });

    it('rejects a key that is not 32 bytes', () => {
      expect(() => store.make({ encryptionKey: randomBytes(16) })).toThrow('32 bytes');
    });
  });

  it('of two writes carrying the same eTag, one wins and the other conflicts (compare-and-set)', async () => {
    const a = store.make();
    const b = store.make();
    await a.write({ k: { n: 1 } });
    const first = (await a.read(['k']))['k'];
    const results = await Promise.allSettled([a.write({ k: { ...first, n: 2 } }), b.write({ k: { ...first, n: 3 } })]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const winner = results[0].status === 'fulfilled' ? 2 : 3;
    expect((await b.read(['k']))['k'].n).toBe(winner);
  });

  it('reads, writes and deletes nothing when given no keys', async () => {
    const s = store.make();
    await s.write({});
    expect(await s.read([])).toEqual({});
    await s.delete([]);
  });
});
