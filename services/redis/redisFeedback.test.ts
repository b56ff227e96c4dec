import Redis from 'ioredis';
import { testRedisUrl, uniquePrefix } from '../../tests/support/redis';
import { createFaqFeedback, type FaqFeedback } from '../feedback';
import { openDatabase } from '../platform/openDatabase';
import { createRedisFaqFeedback } from './index';
import { dumpKeys } from './testing/dumpKeys';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(() => redis.disconnect());

const stores: Array<[string, () => FaqFeedback]> = [
  ['SQLite', () => createFaqFeedback({ db: openDatabase(':memory:') })],
  ['Redis', () => createRedisFaqFeedback({ redis, prefix: uniquePrefix('feedback') })],
];

describe.each(stores)('FAQ feedback (%s)', (_name, open) => {
  it('counts helpful and not helpful per topic, topics in order', async () => {
    const feedback = open();
    expect(await feedback.summary()).toEqual([]);
    await feedback.record({ faqId: 'limits', helpful: true, conversationId: 'c1' });
    await feedback.record({ faqId: 'fees', helpful: false, conversationId: 'c1' });
    await feedback.record({ faqId: 'limits', helpful: false, conversationId: 'c2' });
    await feedback.record({ faqId: 'limits', helpful: true, conversationId: 'c3' });
    await feedback.record({ faqId: 'Zone', helpful: true, conversationId: 'c3' });
    expect(await feedback.summary()).toEqual([
      { faqId: 'Zone', helpful: 1, notHelpful: 0 },
      { faqId: 'fees', helpful: 0, notHelpful: 1 },
      { faqId: 'limits', helpful: 2, notHelpful: 1 },
    ]);
  });
});

test('Redis keeps counts only: no conversation id, not even hashed', async () => {
  const prefix = uniquePrefix('feedback');
  const feedback = createRedisFaqFeedback({ redis, prefix });
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      feedback.record({ faqId: 'limits', helpful: i % 4 !== 0, conversationId: 'conv-secret-1' }),
    ),
  );
  expect(await feedback.summary()).toEqual([{ faqId: 'limits', helpful: 15, notHelpful: 5 }]);
  expect(JSON.parse(await dumpKeys(redis, prefix))).toEqual([
    [`${prefix}feedback:helpful`, { limits: '15' }],
    [`${prefix}feedback:notHelpful`, { limits: '5' }],
  ]);
});
