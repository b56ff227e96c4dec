import { redisForTests, uniquePrefix } from '../../tests/support/redis';
import { SmsError, type SmsGateway } from '../sms';
import { createRedisNoticeSender } from './redis';

// The notice contract runs on Redis in noticeSenderContract.test.ts. Here: the claim's key.

const redis = redisForTests();

const message = { to: '+8613800138000', text: 'Your number was changed' };

test('Redis: the claim is one key under the prefix, collected after a month', async () => {
  const prefix = uniquePrefix('notices');
  const sms: SmsGateway = { send: async () => undefined };
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
