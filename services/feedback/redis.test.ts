import { redisForTests, uniquePrefix } from '../../tests/support/redis';
import { dumpKeys } from '../../tests/support/dumpKeys';
import { createRedisFaqFeedback } from './redis';

// The feedback contract runs on Redis in feedbackContract.test.ts. Here: what Redis keeps.

const redis = redisForTests();

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
