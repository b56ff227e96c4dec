import { parseRateRules, RATE_LIMIT_DEFAULTS, RateRulesError } from './rateRules';

describe('rate-limit rules', () => {
  test('scope:count/window, comma-separated, windows in s, m, h and d', () => {
    expect(parseRateRules('conversation:20/1m, user:40/30s,ip:120/2h', 'messages')).toEqual([
      { scope: 'conversation', points: 20, windowSeconds: 60 },
      { scope: 'user', points: 40, windowSeconds: 30 },
      { scope: 'ip', points: 120, windowSeconds: 7200 },
    ]);
    expect(parseRateRules('card:10/1d', 'codes')).toEqual([{ scope: 'card', points: 10, windowSeconds: 86_400 }]);
  });

  test('off means no rule; the defaults parse', () => {
    expect(parseRateRules(' off ', 'identity')).toEqual([]);
    expect(parseRateRules(RATE_LIMIT_DEFAULTS.messages, 'messages')).toHaveLength(3);
    expect(parseRateRules(RATE_LIMIT_DEFAULTS.identity, 'identity')).toHaveLength(4);
    expect(parseRateRules(RATE_LIMIT_DEFAULTS.codes, 'codes')).toHaveLength(4);
  });

  test.each([
    ['conversation=20/1m', 'messages', /not scope:count\/window/],
    ['conversation:20', 'messages', /not scope:count\/window/],
    ['conversation:20/1w', 'messages', /not scope:count\/window/],
    ['', 'messages', /not scope:count\/window/],
    ['room:20/1m', 'messages', /"room" is not one of conversation, user, ip/],
    ['card:5/1h', 'messages', /"card" is not one of conversation, user, ip$/],
    ['ip:5/1m,ip:6/1m', 'codes', /"ip" is given twice/],
    ['ip:0/1m', 'codes', /at least 1/],
    ['ip:5/0s', 'codes', /at least 1/],
    ['ip:5/8d', 'identity', /7 days at most/],
  ] as const)('%s for %s is refused, saying why', (text, action, why) => {
    expect(() => parseRateRules(text, action)).toThrow(RateRulesError);
    expect(() => parseRateRules(text, action)).toThrow(why);
  });
});
