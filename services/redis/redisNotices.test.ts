import Redis from 'ioredis';
import { testRedisUrl, uniquePrefix } from '../../tests/support/redis';
import { createNoticeSender, type NoticeSender } from '../notify';
import { SmsError, type SmsGateway, type SmsMessage } from '../sms/types';
import { openDatabase } from '../platform/openDatabase';
import { createRedisNoticeSender } from './index';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(() => redis.disconnect());

/** A gateway that records what it sent and fails while `failing` is set. */
function gateway() {
  const sent: SmsMessage[] = [];
  const sms = {
    failing: false,
    async send(message: SmsMessage) {
      if (sms.failing) throw new SmsError('gateway down');
      sent.push(message);
    },
  };
  return { sms, sent };
}

/** Senders on one store (a second one stands for another instance). */
type Open = (sms: SmsGateway) => () => NoticeSender;

const stores: Array<[string, Open]> = [
  [
    'SQLite',
    (sms) => {
      const db = openDatabase(':memory:');
      return () => createNoticeSender({ db, sms });
    },
  ],
  [
    'Redis',
    (sms) => {
      const prefix = uniquePrefix('notices');
      return () => createRedisNoticeSender({ redis, prefix, sms });
    },
  ],
];

const message = { to: '+8613800138000', text: 'Your number was changed' };

describe.each(stores)('notice sender (%s)', (_name, open) => {
  it('sends once per key', async () => {
    const { sms, sent } = gateway();
    const notices = open(sms)();
    expect(await notices.sendOnce('change-1', message)).toBe(true);
    expect(await notices.sendOnce('change-1', message)).toBe(false);
    expect(await notices.sendOnce('change-2', message)).toBe(true);
    expect(sent).toHaveLength(2);
  });

  it('releases the key when the gateway fails, so a retry sends', async () => {
    const { sms, sent } = gateway();
    const notices = open(sms)();
    sms.failing = true;
    await expect(notices.sendOnce('change-1', message)).rejects.toThrow('gateway down');
    sms.failing = false;
    expect(await notices.sendOnce('change-1', message)).toBe(true);
    expect(sent).toEqual([message]);
  });

  it('of two instances reaching the same change at once, one sends', async () => {
    const { sms, sent } = gateway();
    const make = open(sms);
    const results = await Promise.all([make().sendOnce('change-1', message), make().sendOnce('change-1', message)]);
    expect(results.sort()).toEqual([false, true]);
    expect(sent).toHaveLength(1);
  });
});

test('Redis: the claim is one key under the prefix, collected after a month', async () => {
  const prefix = uniquePrefix('notices');
  const { sms } = gateway();
  await createRedisNoticeSender({ redis, prefix, sms, clock: () => 42 }).sendOnce('change-1', message);
  expect(await redis.get(`${prefix}notice:change-1`)).toMatch(/^42:[0-9a-f]{16}$/);
  const ttl = await redis.pttl(`${prefix}notice:change-1`);
  expect(ttl).toBeGreaterThan(29 * 24 * 3600_000);
});

test('Redis: a failed send releases only its own claim', async () => {
  const prefix = uniquePrefix('notices');
  const key = `${prefix}notice:change-1`;
  // The gateway is slow to fail; meanwhile the claim is replaced (as if it had lapsed and been retaken).
  const sms: SmsGateway = {
    async send() {
      await redis.set(key, 'someone-else');
      throw new SmsError('gateway down');
    },
  };
  const notices = createRedisNoticeSender({ redis, prefix, sms });
  await expect(notices.sendOnce('change-1', message)).rejects.toThrow('gateway down');
  expect(await redis.get(key)).toBe('someone-else');
});
