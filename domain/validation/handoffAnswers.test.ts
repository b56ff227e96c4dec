import { MAX_CALLBACK_TIME_CHARS, parseRating, validateCallbackTime } from './handoffAnswers';

describe('validateCallbackTime', () => {
  test.each(['明天上午', '工作日晚上7点后', 'tomorrow 9-11am', '下午（13:00–18:00）', '  周一   下午  '])('accepts %j', (text) => {
    const r = validateCallbackTime(text);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.text).toBe(text.replace(/\s+/g, ' ').trim());
  });

  test.each([
    ['', 'empty'],
    [' \n\t ', 'empty'],
    ['早'.repeat(MAX_CALLBACK_TIME_CHARS + 1), 'tooLong'],
    ['call 13800138000', 'notATime'],
    ['138 0013 8000', 'notATime'],
    ['验证码 123456', 'notATime'],
    ['６２２２０２', 'notATime'],
    ['?!...', 'notATime'],
  ])('refuses %j: %s', (text, reason) => {
    expect(validateCallbackTime(text)).toEqual({ ok: false, reason });
  });
});

describe('parseRating', () => {
  test.each([
    ['5', 5],
    ['５分', 5],
    ['4分 满意', 4],
    ['3 OK', 3],
    ['1 Very poor', 1],
    ['2/5', 2],
    ['五星', 5],
    ['两分', 2],
    ['★★★★', 4],
    ['4 stars', 4],
  ])('%j → %d', (text, stars) => {
    expect(parseRating(text)).toBe(stars);
  });

  test.each(['', '0', '6', '10', '13800138000', '我要换手机号', 'yes', '5'.repeat(30)])('%j is not a rating', (text) => {
    expect(parseRating(text)).toBeUndefined();
  });
});
