import type { Expecting } from './expecting';
import type { Intent } from './intent';
import type { Locale } from './locale';

export interface Recognition {
  intent: Intent;
  /** For intent 'faq': which topic. */
  faqId?: string;
  /** For intent 'faq' when unsure: the likeliest topics, best first (faqId is the first). */
  candidates?: string[];
  /** For intent 'feedback': whether the last answer helped. */
  helpful?: boolean;
  /** 'label': the exact text of a button or topic the bot offered; otherwise words or a model. */
  source?: 'label';
}

export interface RecognizerContext {
  locale: Locale;
  /** The question on screen: yes/no words mean affirm/deny only where a yes/no question is asked. */
  expecting?: Expecting;
}

/**
 * Turns a customer's words into an intent. The keyword recogniser is the first implementation; a
 * real understanding layer can replace it without touching the chart or the bot.
 */
export interface Recognizer {
  recognize(text: string, context: RecognizerContext): Recognition | Promise<Recognition>;
}
