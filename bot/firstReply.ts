import { ActivityTypes } from 'botbuilder';
import { effectsActor, type ChangePhoneMachine } from '../dialogs/changePhone';
import type { Recognizer } from '../domain/recognizer';
import type { Locale } from '../domain/locale';
import type { ChartEvent } from '../dialogs/types';
import { activityToEvents } from './activityToEvents';
import { renderReplies, type ReplyChannelData } from './renderReplies';
import { runChart } from './runChart';

/**
 * The chart with offline effects, for measuring what the bot does with a first message: a request
 * for a person is queued (nothing leaves the process); every other effect is the chart's own
 * not-provided failure, because a first message never reaches one.
 */
export function offlineMachine(machine: ChangePhoneMachine): ChangePhoneMachine {
  return machine.provide({
    actors: {
      effects: effectsActor({
        requestAgent: async () => ({ result: 'queued', ticket: 'OFFLINE', position: 1, waitMinutes: 1, requestedAt: 0 }),
      }),
    },
  });
}

/**
 * The channelData of the bot's first reply to `text` as the first message of a new conversation,
 * through the path of a real turn: activity → recogniser → events → chart → rendered replies.
 */
export async function firstReply(
  machine: ChangePhoneMachine,
  recognizer: Recognizer,
  text: string,
  locale: Locale,
): Promise<ReplyChannelData | undefined> {
  const recognized = await activityToEvents({ type: ActivityTypes.Message, text, locale }, recognizer, { locale });
  // As RebindBot.turn: a conversation starts in Chinese; another language is set first.
  const events: ChartEvent[] =
    recognized.length > 0 && locale !== 'zh-CN' ? [{ type: 'LOCALE_SET', locale }, ...recognized] : recognized;
  const turn = await runChart(machine, { conversationId: 'first-reply', events, timeoutMs: 5_000 });
  const [first] = renderReplies(turn.replies, { locale, render: (_, key) => key, intent: turn.acted?.intent });
  return first?.channelData as ReplyChannelData | undefined;
}

/** The route a reply took: its `intent`, or `faq:<faqId>` for a knowledge-base reply. */
export function routeOf(data: ReplyChannelData | undefined): string {
  if (!data?.intent) return 'silent';
  return data.intent === 'faq' ? `faq:${data.faqId ?? 'menu'}` : data.intent;
}
