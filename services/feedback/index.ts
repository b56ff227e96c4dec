/**
 * "Was this helpful?": the answers to a knowledge-base reply, counted per topic.
 *
 * Adapters: `sqlite.ts` (table faq_feedback), `redis.ts` (two hashes of counters); `feedbackContract.test.ts`
 * runs both.
 */
export interface FaqFeedback {
  record(entry: { faqId: string; helpful: boolean; conversationId: string }): Promise<void>;
  /** Helpful / not helpful counts per topic. */
  summary(): Promise<Array<{ faqId: string; helpful: number; notHelpful: number }>>;
}
