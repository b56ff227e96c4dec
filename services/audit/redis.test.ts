import { fiveRecords } from '../../tests/support/auditTamperCases';
import { redisForTests, uniquePrefix } from '../../tests/support/redis';
import type { AuditLog } from './index';
import { createRedisAuditLog } from './redis';

// The audit contract (records, chain, tampering) runs on Redis in auditContract.test.ts. Here: what only
// Redis has — a consistent snapshot under concurrent writes, and the per-conversation copies.

const redis = redisForTests();

const key = Buffer.alloc(32, 1);

describe('hash-chained audit log (Redis)', () => {
  let prefix: string;
  let audit: AuditLog;
  beforeEach(() => {
    let now = 100;
    prefix = uniquePrefix('audit-chain');
    audit = createRedisAuditLog({ redis, prefix, key, clock: () => now++ });
  });

  it('verifies a consistent snapshot while new conversations are recorded', async () => {
    await fiveRecords(audit);
    const writes = Array.from({ length: 20 }, (_, i) => audit.record('code.sent', `conv-new-${i}`, { i }));
    const checks = Array.from({ length: 5 }, () => audit.verify());
    await Promise.all(writes);
    for (const check of await Promise.all(checks)) expect(check).toMatchObject({ ok: true });
    expect(await audit.verify()).toEqual({ ok: true, records: 25 });
  });

  it('spots a line that is no record any more', async () => {
    await fiveRecords(audit);
    await redis.lset(`${prefix}audit:all`, 1, 'not json');
    expect(await audit.verify()).toMatchObject({ ok: false, records: 5 });
  });

  it.each([
    ['edited', (line: string) => redis.lset(`${prefix}audit:conversation:conv-a`, 1, line.replace('138', '139')), 2],
    ['removed', (line: string) => redis.lrem(`${prefix}audit:conversation:conv-a`, 1, line), 2],
    ['inserted', (line: string) => redis.rpush(`${prefix}audit:conversation:conv-c`, line), 2],
    // The copies list({ conversationId }) reads must match the chained log too.
  ] as const)('detects a conversation list %s', async (problem, tamper, at) => {
    await fiveRecords(audit);
    const [, second] = await redis.lrange(`${prefix}audit:all`, 0, 1);
    await tamper(second!);
    expect(await audit.verify()).toEqual({ ok: false, records: 5, problem, at });
  });

});
