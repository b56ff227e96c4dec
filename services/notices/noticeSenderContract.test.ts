import { redisForTests, uniquePrefix } from '../../tests/support/redis';
import { SmsError, type SmsGateway, type SmsMessage } from '../sms';
import { openDatabase } from '../platform/openDatabase';
import type { NoticeSender } from './index';
import { createRedisNoticeSender } from './redis';
import { createSqliteNoticeSender } from './sqlite';

const redis = redisForTests();

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
      return () => createSqliteNoticeSender({ db, sms });
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
