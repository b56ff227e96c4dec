import type Redis from 'ioredis';
import { redisForTests, uniquePrefix } from '../../tests/support/redis';
import { dumpKeys } from '../../tests/support/dumpKeys';
import { openDatabase, type Db } from '../platform/openDatabase';
import type { RateLimits } from './index';
import { createMemoryRateLimits } from './memory';
import { rateRulesFrom } from './rateRules';
import { createRedisRateLimits } from './redis';
import { createSqliteRateLimits } from './sqlite';

const SECRET = Buffer.alloc(32, 7);

const redis = redisForTests();

interface Store {
  /** Limits on this test's store; every call shares it (like several instances). */
  make(settings: { messages?: string; identity?: string; codes?: string }): Promise<RateLimits>;
  /** Everything stored, as text. */
  dump(): Promise<string>;
  close(): void;
}

const settings = (s: { messages?: string; identity?: string; codes?: string }) =>
  rateRulesFrom({ messages: s.messages ?? 'off', identity: s.identity ?? 'off', codes: s.codes ?? 'off' });

const stores: Array<[string, () => Store]> = [
  [
    'memory',
    () => {
      // Memory limits are one process's: every `make` shares one instance.
      let shared: RateLimits | undefined;
      return {
        make: async (s) => (shared ??= createMemoryRateLimits(settings(s), SECRET)),
        dump: async () => {
          throw new Error('memory limits cannot be read from outside');
        },
        close: () => undefined,
      };
    },
  ],
  [
    'SQLite',
    () => {
      const db: Db = openDatabase(':memory:');
      const dump = async () => {
        const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
        return tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all())).join('\n');
      };
      return { make: (s) => createSqliteRateLimits(settings(s), SECRET, db), dump, close: () => db.close() };
    },
  ],
  [
    'Redis',
    () => {
      const prefix = uniquePrefix('rate');
      const clients: Redis[] = [];
      return {
        make: async (s) => {
          const client = redis.duplicate();
          clients.push(client);
          return createRedisRateLimits(settings(s), SECRET, client, prefix);
        },
        dump: () => dumpKeys(redis, prefix),
        close: () => clients.forEach((c) => c.disconnect()),
      };
    },
  ],
];

describe.each(stores)('rate limits (%s)', (_name, open) => {
  let store: Store;
  beforeEach(() => {
    store = open();
  });
  afterEach(() => store.close());

  test('allows `count` in a window, then refuses, telling only the first refusal', async () => {
    const limits = await store.make({ messages: 'conversation:3/1m' });
    for (let i = 0; i < 3; i++) expect(await limits.consume('messages', { conversation: 'c1' })).toEqual({ allowed: true });
    const first = await limits.consume('messages', { conversation: 'c1' });
    expect(first).toMatchObject({ allowed: false, scope: 'conversation', first: true });
    expect(first.allowed === false && first.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(first.allowed === false && first.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await limits.consume('messages', { conversation: 'c1' })).toMatchObject({ allowed: false, first: false });
    // Another conversation has its own count.
    expect(await limits.consume('messages', { conversation: 'c2' })).toEqual({ allowed: true });
  });

  test('each scope counts on its own; the first scope over its limit is named', async () => {
    const limits = await store.make({ messages: 'conversation:10/1m,user:3/1m,ip:4/1m' });
    const d = async (conversation: string, user: string, ip: string) =>
      limits.consume('messages', { conversation, user, ip });
    expect(await d('a', 'u1', '10.0.0.1')).toEqual({ allowed: true });
    expect(await d('b', 'u1', '10.0.0.1')).toEqual({ allowed: true });
    expect(await d('c', 'u1', '10.0.0.1')).toEqual({ allowed: true });
    // The user's fourth message, whatever the conversation.
    expect(await d('d', 'u1', '10.0.0.1')).toMatchObject({ allowed: false, scope: 'user' });
    // Another user at the same address: the address has had three (the refused one stopped at `user`).
    expect(await d('e', 'u2', '10.0.0.1')).toEqual({ allowed: true });
    expect(await d('f', 'u3', '10.0.0.1')).toMatchObject({ allowed: false, scope: 'ip' });
    expect(await d('g', 'u4', '10.0.0.2')).toEqual({ allowed: true });
  });

  test('a scope without a key is not counted; actions are counted apart', async () => {
    const limits = await store.make({ messages: 'ip:1/1m', codes: 'card:1/1h' });
    expect(await limits.consume('messages', { conversation: 'a' })).toEqual({ allowed: true });
    expect(await limits.consume('messages', { conversation: 'a' })).toEqual({ allowed: true });
    expect(await limits.consume('codes', { card: '6222020212345678901' })).toEqual({ allowed: true });
    expect(await limits.consume('codes', { card: '6222020212345678901' })).toMatchObject({ allowed: false, scope: 'card' });
    expect(await limits.consume('identity', { card: '6222020212345678901' })).toEqual({ allowed: true });
  });

  test('a customer is still counted after thousands of others (the kept hashes make way)', async () => {
    const limits = await store.make({ messages: 'conversation:2/1m' });
    expect(await limits.consume('messages', { conversation: 'first' })).toEqual({ allowed: true });
    for (let i = 0; i < 5000; i += 1) await limits.consume('messages', { conversation: `other-${i}` });
    expect(await limits.consume('messages', { conversation: 'first' })).toEqual({ allowed: true });
    expect(await limits.consume('messages', { conversation: 'first' })).toMatchObject({ allowed: false, scope: 'conversation' });
  });

  test('the window ends and counting starts again', async () => {
    const limits = await store.make({ messages: 'conversation:1/1s' });
    expect(await limits.consume('messages', { conversation: 'w' })).toEqual({ allowed: true });
    expect(await limits.consume('messages', { conversation: 'w' })).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await limits.consume('messages', { conversation: 'w' })).toEqual({ allowed: true });
  });
});

// Stores outside the process: shared by instances, and readable by whoever reads the store.
describe.each(stores.filter(([name]) => name !== 'memory'))('rate limits in a shared store (%s)', (_name, open) => {
  let store: Store;
  beforeEach(() => {
    store = open();
  });
  afterEach(() => store.close());

  test('several instances share the counts of identity checks and code sends', async () => {
    const a = await store.make({ identity: 'card:2/1h' });
    const b = await store.make({ identity: 'card:2/1h' });
    expect(await a.consume('identity', { card: '6222020212345678901' })).toEqual({ allowed: true });
    expect(await b.consume('identity', { card: '6222020212345678901' })).toEqual({ allowed: true });
    expect(await a.consume('identity', { card: '6222020212345678901' })).toMatchObject({ allowed: false, scope: 'card' });
  });

  test('cards, users and addresses are stored only as keyed hashes', async () => {
    const limits = await store.make({ codes: 'user:5/1h,ip:5/1h,card:5/1h' });
    await limits.consume('codes', { user: 'test/user-42', ip: '203.0.113.9', card: '6222020212345678901' });
    const stored = await store.dump();
    for (const secret of ['6222020212345678901', '203.0.113.9', 'user-42']) expect(stored).not.toContain(secret);
    expect(stored.length).toBeGreaterThan(0);
  });
});
