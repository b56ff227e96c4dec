/** The languages the bot speaks. Stable: every message key has a sentence in each (content/). */
export type Locale = 'zh-CN' | 'en-US';
