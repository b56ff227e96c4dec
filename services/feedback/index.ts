export { createFaqFeedback } from './faqFeedback';
export type { FaqFeedback } from './faqFeedback';
