import { redisForTests, uniquePrefix } from '../../tests/support/redis';
import { openDatabase } from '../platform/openDatabase';
import type { FaqFeedback } from './index';
import { createRedisFaqFeedback } from './redis';
import { createSqliteFaqFeedback } from './sqlite';

const redis = redisForTests();

const stores: Array<[string, () => FaqFeedback]> = [
  ['SQLite', () => createSqliteFaqFeedback({ db: openDatabase(':memory:') })],
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
