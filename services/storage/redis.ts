import { randomUUID } from 'node:crypto';
import type { StoreItem, StoreItems } from 'botbuilder';
import { UNCHANGED, type TrackedStorage } from './index';
import type Redis from 'ioredis';
import type { Clock } from '../../domain/clock';
import { decodeStoredValue, encodeStoredValue } from './storedValue';
import { execAll } from '../platform/execAll';
import { luaScript } from '../platform/luaScript';
import { storeCall } from '../platform/storeCall';

export interface RedisStorageOptions {
  redis: Redis;
  /** Starts every key; several bots (or test files) can share one Redis. */
  prefix: string;
  /** 32 bytes. When given, values are encrypted at rest with AES-256-GCM; without it they are plain JSON. */
  encryptionKey?: Buffer;
  clock?: Clock;
  /** A fresh eTag for every write. Random by default, so eTags never repeat across restarts. */
  newETag?: () => string;
}

/**
 * Writes a batch all or nothing. KEYS: the items' Redis keys. ARGV: the write time, then for each key
 * its expected eTag ('' when the write is unconditional), its new eTag and its stored value.
 * Every eTag is checked before anything is written, so one conflict leaves the whole batch unwritten.
 * Returns 0, or the 1-based position of the first conflicting key.
 */
const WRITE = luaScript(`
for i = 1, #KEYS do
  local expected = ARGV[2 + (i - 1) * 3]
  if expected ~= '' then
    local stored = redis.call('HGET', KEYS[i], 'etag')
    if stored and stored ~= expected then return i end
  end
end
for i = 1, #KEYS do
  local at = 2 + (i - 1) * 3
  redis.call('HSET', KEYS[i], 'etag', ARGV[at + 1], 'value', ARGV[at + 2], 'updatedAt', ARGV[1])
end
return 0
`);

/**
 * Bot Framework `Storage` on Redis, behaving like SqliteStorage: MemoryStorage's eTag rules (every write
 * gets a new eTag; a write carrying another eTag than the stored one, other than '*', fails with
 * 'eTag conflict'; no eTag or '*' means last writer wins), batches all or nothing, and the same value
 * format (plain JSON, or `enc1:` AES-256-GCM with the storage key authenticated).
 *
 * Layout: one hash per item, `<prefix>storage:<key>` = { etag, value, updatedAt }. No TTL: conversation
 * state lives as long as it does in SQLite; whoever deletes conversations deletes it.
 */
export class RedisStorage implements TrackedStorage {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly key: Buffer | undefined;
  private readonly clock: Clock;
  private readonly newETag: () => string;

  constructor({ redis, prefix, encryptionKey, clock = Date.now, newETag = () => randomUUID() }: RedisStorageOptions) {
    if (encryptionKey !== undefined && encryptionKey.length !== 32) {
      throw new RangeError(`RedisStorage: encryptionKey must be 32 bytes, got ${encryptionKey.length}`);
    }
    this.redis = redis;
    this.prefix = prefix;
    this.key = encryptionKey;
    this.clock = clock;
    this.newETag = newETag;
  }

  /** The Redis key of a storage key. */
  redisKey(key: string): string {
    return `${this.prefix}storage:${key}`;
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    if (keys.length === 0) return {};
    // MULTI: the items of one read come from one moment, as in one SQLite read.
    const rows = await storeCall('storage read', async () => {
      const multi = this.redis.multi();
      for (const key of keys) multi.hmget(this.redisKey(key), 'etag', 'value');
      return execAll<Array<string | null>>(await multi.exec());
    });
    const items: StoreItems = {};
    keys.forEach((key, i) => {
      const [etag, value] = rows[i] ?? [];
      if (etag != null && value != null) items[key] = { ...decodeStoredValue(this.key, key, value), eTag: etag };
    });
    return items;
  }

  async readUnlessUnchanged(key: string, eTag: string): Promise<StoreItem | undefined | typeof UNCHANGED> {
    const [etag, value] = await storeCall('storage read', () => this.redis.hmget(this.redisKey(key), 'etag', 'value'));
    if (etag == null || value == null) return undefined;
    // Another instance may have written since: only a different eTag is decoded.
    if (etag === eTag) return UNCHANGED;
    return { ...decodeStoredValue(this.key, key, value), eTag: etag };
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new ReferenceError('Changes are required when writing.');
    await this.writeAll(Object.entries(changes) as Array<[string, Record<string, unknown>]>);
  }

  async writeOne(key: string, item: StoreItem): Promise<string> {
    return (await this.writeAll([[key, item as Record<string, unknown>]]))[0] as string;
  }

  /** Writes a batch all or nothing; returns the new eTags, in order. */
  private async writeAll(entries: Array<[string, Record<string, unknown>]>): Promise<string[]> {
    if (entries.length === 0) return [];
    const now = this.clock();
    const args: string[] = [String(now)];
    const fresh: string[] = [];
    for (const [key, item] of entries) {
      const { eTag, ...rest } = item;
      const expected = typeof eTag === 'string' && eTag !== '*' ? eTag : '';
      const eTagNow = this.newETag();
      fresh.push(eTagNow);
      // Encrypting here keeps the key out of Redis; the script only compares eTags and stores.
      args.push(expected, eTagNow, encodeStoredValue(this.key, key, rest));
    }
    const keys = entries.map(([key]) => this.redisKey(key));
    const conflict = Number(await storeCall('storage write', () => WRITE.run(this.redis, keys, args)));
    if (conflict > 0) throw new Error(`Storage: error writing "${entries[conflict - 1]?.[0]}" due to eTag conflict.`);
    return fresh;
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new ReferenceError('Keys are required when deleting.');
    if (keys.length === 0) return;
    // One DEL of several keys is atomic, like SQLite's transaction.
    await storeCall('storage delete', () => this.redis.del(...keys.map((key) => this.redisKey(key))));
  }
}

export function createRedisStorage(options: RedisStorageOptions): RedisStorage {
  return new RedisStorage(options);
}
