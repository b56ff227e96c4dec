import type { TurnContext } from 'botbuilder';
import { localeFrom } from '../../content';
import type { Logger } from '../../services/platform/log';
import { createTurnErrorHandler } from '../../server/turnErrorHandler';

/** A context as odd as a hostile activity can make it, whose sending fails. */
function oddContext(activity: unknown, send: (sent: unknown) => Promise<unknown>): TurnContext {
  return { activity, sendActivity: send } as unknown as TurnContext;
}

const render = (locale: string, key: string) => `${locale}:${key}`;

describe('the turn error handler cannot throw itself', () => {
  test.each<[string, unknown]>([
    ['a locale that is a number', { type: 'message', locale: 12345, channelId: 'x' }],
    ['no activity at all', undefined],
    ['fields of every wrong type', { type: 5, locale: { en: 1 }, channelId: [] }],
  ])('%s, a failing send and a failing logger: it resolves', async (_what, activity) => {
    const throwing: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => {
        throw new Error('log sink down');
      },
    };
    const handler = createTurnErrorHandler({ logger: throwing, localeOf: localeFrom, render });
    const send = jest.fn(async () => {
      throw new Error('channel down');
    });
    await expect(handler(oddContext(activity, send), new Error('boom'))).resolves.toBeUndefined();
    expect(send).toHaveBeenCalledTimes(1);
  });

  test('it apologises with the message key, in Chinese when the locale is not a string', async () => {
    const sent: unknown[] = [];
    const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const handler = createTurnErrorHandler({ logger, localeOf: localeFrom, render });
    await handler(oddContext({ type: 'message', locale: 12345 }, async (a: unknown) => sent.push(a)), 'a thrown string' as unknown as Error);
    expect(sent).toEqual([expect.objectContaining({ locale: 'zh-CN', channelData: { key: 'error.turn' } })]);
  });
});
