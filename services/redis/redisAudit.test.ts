import Redis from 'ioredis';
import { testRedisUrl, uniquePrefix } from '../../tests/support/redis';
import { createAuditLog, type AuditLog } from '../audit';
import { openDatabase } from '../sqlite/openDatabase';
import { createRedisAuditLog } from './index';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(() => redis.disconnect());

/** Audit logs on one store (a second one stands for another instance). */
type Open = (clock: () => number) => () => AuditLog;

const stores: Array<[string, Open]> = [
  [
    'SQLite',
    (clock) => {
      const db = openDatabase(':memory:');
      return () => createAuditLog({ db, clock });
    },
  ],
  [
    'Redis',
    (clock) => {
      const prefix = uniquePrefix('audit');
      return () => createRedisAuditLog({ redis, prefix, clock });
    },
  ],
];

describe.each(stores)('audit log (%s)', (_name, open) => {
  it('records with increasing ids, in order, and lists one conversation', async () => {
    let now = 100;
    const audit = open(() => now++)();
    await audit.record('code.sent', 'conv-a', { phone: '138****8000' });
    await audit.record('identity.passed', 'conv-b');
    await audit.record('code.verified', 'conv-a', { attempts: 1, ok: true });
    expect(await audit.list()).toEqual([
      { id: 1, at: 100, type: 'code.sent', conversationId: 'conv-a', data: { phone: '138****8000' } },
      { id: 2, at: 101, type: 'identity.passed', conversationId: 'conv-b', data: {} },
      { id: 3, at: 102, type: 'code.verified', conversationId: 'conv-a', data: { attempts: 1, ok: true } },
    ]);
    expect((await audit.list({ conversationId: 'conv-a' })).map((r) => r.id)).toEqual([1, 3]);
    expect(await audit.list({ conversationId: 'nobody' })).toEqual([]);
    expect(await audit.list({ conversationId: '' })).toHaveLength(3);
  });

  it('keeps ids unique and in list order when instances record at once', async () => {
    const make = open(() => 1);
    const logs = [make(), make(), make()];
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => logs[i % 3]!.record('code.sent', `conv-${i % 2}`, { i })),
    );
    const all = await logs[0]!.list();
    expect(all.map((r) => r.id)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const ids = (await logs[1]!.list({ conversationId: 'conv-1' })).map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids).toHaveLength(15);
  });
});
