import Redis from 'ioredis';
import { testRedisUrl, uniquePrefix } from '../../tests/support/redis';
import type { OtpService } from './index';
import type { OtpBinding } from '../../domain/otpBinding';
import { createRedisOtpService } from './redis';
import { dumpKeys } from '../../tests/support/dumpKeys';

// The OTP contract runs on Redis in otpContract.test.ts. Here: several instances at once,
// and what the keys look like.

const T0 = Date.UTC(2024, 5, 1, 8, 0, 0);
const MIN = 60_000;
const SECRET = Buffer.from('0123456789abcdef0123456789abcdef');
const binding: OtpBinding = {
  conversationId: 'conv-1',
  purpose: 'old',
  phone: '+8613800138000',
  card: '6222020200112233445',
  generation: 1,
};

const clients: Redis[] = [];
afterAll(() => clients.forEach((c) => c.disconnect()));

/** `n` instances of the service, each with its own connection, on one prefix and one clock. */
function instances(n: number, clock: () => number = () => T0): OtpService[] {
  const prefix = uniquePrefix('otp');
  let ids = 0;
  return Array.from({ length: n }, () => {
    const redis = new Redis(testRedisUrl());
    clients.push(redis);
    return createRedisOtpService({ redis, prefix, secret: SECRET, clock, newId: () => `code-${++ids}` });
  });
}

async function issueOn(otp: OtpService) {
  const r = await otp.issue(binding);
  if (!r.ok) throw new Error(`issue refused: ${JSON.stringify(r)}`);
  return r;
}

test('of ten instances verifying the same right code at once, exactly one succeeds', async () => {
  const all = instances(10);
  const { code, codeId } = await issueOn(all[0]!);
  const results = await Promise.all(all.map((otp) => otp.verify(binding, code)));
  expect(results.filter((r) => r.ok)).toEqual([{ ok: true, codeId }]);
  expect(results.filter((r) => !r.ok)).toEqual(Array(9).fill({ ok: false, reason: 'noCode' }));
});

test('wrong codes from several instances at once are all counted: the card locks on the fifth', async () => {
  const all = instances(7);
  await issueOn(all[0]!);
  const results = await Promise.all(all.map((otp) => otp.verify(binding, '000000')));
  const left = results.flatMap((r) => (!r.ok && r.reason === 'wrong' ? [r.attemptsLeft] : []));
  expect(left.sort()).toEqual([1, 2, 3, 4]);
  const locked = { ok: false, reason: 'locked', until: T0 + 30 * MIN };
  expect(results.filter((r) => !r.ok && r.reason === 'locked')).toEqual([locked, locked, locked]);
  expect(await all[6]!.lockedUntil(binding.card)).toBe(T0 + 30 * MIN);
});

test('of several instances issuing to one number at once, exactly one sends', async () => {
  const all = instances(5);
  const results = await Promise.all(
    all.map((otp, i) => otp.issue({ ...binding, conversationId: `conv-${i}` })),
  );
  expect(results.filter((r) => r.ok)).toHaveLength(1);
  expect(results.filter((r) => !r.ok)).toEqual(Array(4).fill({ ok: false, reason: 'cooldown', retryAt: T0 + MIN }));
});

test('keys: all under the prefix, hashed; TTLs only collect garbage, long after the clock has decided', async () => {
  const prefix = uniquePrefix('otp');
  const redis = new Redis(testRedisUrl());
  clients.push(redis);
  const otp = createRedisOtpService({ redis, prefix, secret: SECRET, clock: () => T0, newId: () => 'code-1' });
  await issueOn(otp);
  const keys = (JSON.parse(await dumpKeys(redis, prefix)) as Array<[string, unknown]>).map(([k]) => k);
  expect(keys.map((k) => k.slice(prefix.length).replace(/[0-9a-f]{64}/, '<hash>')).sort()).toEqual([
    'otp:code:<hash>',
    'otp:id:code-1',
    'otp:sends:<hash>',
  ]);
  for (const key of keys) {
    // A code lives 5 minutes by the clock; every key outlives that by at least a day.
    expect(await redis.pttl(key)).toBeGreaterThan(5 * MIN + 23 * 60 * MIN);
  }
});
