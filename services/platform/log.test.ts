import { createLogger, scrubLogText, type Logger, type LogLevel } from './log';

const CARD = '6222021234567890128';
const ID = '11010519491231002X';
const MOBILE = '13800138000';
const E164 = '+8613800138000';
const CODE = '482913';

function capture(level: LogLevel = 'debug', clock: () => number = () => Date.parse('2026-11-28T02:00:00Z')) {
  const lines: string[] = [];
  const logger = createLogger({ level, write: (line) => lines.push(line), clock });
  const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, parsed };
}

function logAll(logger: Logger) {
  logger.debug('d');
  logger.info('i');
  logger.warn('w');
  logger.error('e');
}

describe('levels', () => {
  test.each([
    ['debug', ['d', 'i', 'w', 'e']],
    ['info', ['i', 'w', 'e']],
    ['warn', ['w', 'e']],
    ['error', ['e']],
    ['silent', []],
  ] as Array<[LogLevel, string[]]>)('at %s, writes %j', (level, written) => {
    const { logger, parsed } = capture(level);
    logAll(logger);
    expect(parsed().map((l) => l.msg)).toEqual(written);
    expect(parsed().map((l) => l.level)).toEqual(
      written.map((m) => ({ d: 'debug', i: 'info', w: 'warn', e: 'error' })[m]),
    );
    // enabled() says the same as what was written.
    const said = (['debug', 'info', 'warn', 'error'] as const).filter((at) => logger.enabled?.(at));
    expect(said).toEqual(written.map((m) => ({ d: 'debug', i: 'info', w: 'warn', e: 'error' })[m]));
  });
});

test('one JSON line per call, with the injected time, the level label, the message and the fields', () => {
  let now = Date.parse('2026-11-28T02:00:00Z');
  const { logger, lines, parsed } = capture('info', () => now);
  logger.info('listening', { port: 3978, auth: 'none (local)', nested: { ok: true, list: [1, 'a'] } });
  now += 1500;
  logger.warn('slow');
  expect(lines).toHaveLength(2);
  for (const line of lines) expect(line).not.toMatch(/\n/);
  expect(parsed()[0]).toEqual({
    level: 'info',
    time: '2026-11-28T02:00:00.000Z',
    msg: 'listening',
    port: 3978,
    auth: 'none (local)',
    nested: { ok: true, list: [1, 'a'] },
  });
  expect(parsed()[1]).toEqual({ level: 'warn', time: '2026-11-28T02:00:01.500Z', msg: 'slow' });
});

test('the default destination is stdout, one line per call', () => {
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    createLogger({ level: 'info' }).info('to stdout', { n: 1 });
    expect(spy).toHaveBeenCalledTimes(1);
    const written = String(spy.mock.calls[0]?.[0]);
    expect(written.endsWith('}\n')).toBe(true);
    expect(JSON.parse(written)).toMatchObject({ level: 'info', msg: 'to stdout', n: 1 });
  } finally {
    spy.mockRestore();
  }
});

test('a field cannot pass for the level, the time or the message', () => {
  const { logger, lines, parsed } = capture('info');
  logger.info('real', { level: 'error', time: 'then', msg: 'forged' });
  expect(lines).toHaveLength(1);
  expect(parsed()[0]).toEqual({
    level: 'info',
    time: '2026-11-28T02:00:00.000Z',
    msg: 'real',
    level_: 'error',
    time_: 'then',
    msg_: 'forged',
  });
});

describe('sensitive keys', () => {
  test('are masked or redacted at any depth', () => {
    const { logger, parsed } = capture();
    logger.info('keys', {
      phone: E164,
      oldPhone: MOBILE,
      newPhone: '+8618612345678',
      card: CARD,
      cardNumber: `${CARD.slice(0, 4)} ${CARD.slice(4, 8)} ${CARD.slice(8)}`,
      idNumber: ID,
      code: CODE,
      otp: Number(CODE),
      text: 'my card is whatever',
      password: 'hunter2',
      token: 'tok-a01-aaaaaaaaaaaaaaaa',
      authorization: 'Bearer abc',
      deep: { a: { b: { c: { phone: MOBILE, code: CODE, text: 'hi', list: [{ card: CARD }] } } } },
    });
    expect(parsed()[0]).toMatchObject({
      phone: '138****8000',
      oldPhone: '138****8000',
      newPhone: '186****5678',
      card: '6222 **** **** 0128',
      cardNumber: '6222 **** **** 0128',
      idNumber: '1101**********002X',
      code: '[redacted]',
      otp: '[redacted]',
      text: '[redacted]',
      password: '[redacted]',
      token: '[redacted]',
      authorization: '[redacted]',
      deep: { a: { b: { c: { phone: '138****8000', code: '[redacted]', text: '[redacted]', list: [{ card: '6222 **** **** 0128' }] } } } },
    });
  });

  test('already masked values stay as they are; absent ones stay absent', () => {
    const { logger, parsed } = capture();
    logger.info('masked', { phone: '138****8000', card: '6222 **** **** 0128', maskedPhone: '+44 ****3456', code: undefined, text: null });
    expect(parsed()[0]).toEqual(
      expect.objectContaining({ phone: '138****8000', card: '6222 **** **** 0128', maskedPhone: '+44 ****3456', text: null }),
    );
    expect(parsed()[0]).not.toHaveProperty('code');
  });
});

describe('numbers in any text are masked', () => {
  test.each([
    [`card ${CARD}`, 'card 6222 **** **** 0128'],
    ['card 6222-0212-3456-7890-128', 'card 6222 **** **** 0128'],
    [`id ${ID} ok`, 'id 1101**********002X ok'],
    [`call ${MOBILE}`, 'call 138****8000'],
    [`call ${E164}`, 'call 138****8000'],
    ['call +86 138 0013 8000', 'call 138****8000'],
    ['call ＋８６１３８００１３８０００', 'call ＋138****8000'],
    ['call +44 20 7946 0958', 'call +44 ****0958'],
    [`验证码${CODE}`, '验证码******'],
    [`code is ${CODE}.`, 'code is ******.'],
    ['code 1234 and 56789', 'code **** and *****'],
    ['code 12345678', 'code ********'],
  ])('%s → %s', (input, expected) => {
    expect(scrubLogText(input)).toBe(expected);
  });

  test.each([
    'plain words',
    '138****8000',
    '6222 **** **** 0128',
    '1101**********002X',
    '+44 ****3456',
    'at run (/app/bot/RebindBot.ts:1234:56)',
    'http://localhost:3978/api',
    '2026-11-28T02:00:00.000Z',
    'v1234 a12b 3 days, 120 ms',
  ])('%s stays as it is', (text) => {
    expect(scrubLogText(text)).toBe(text);
  });

  test('in the message, field values, keys, nested objects, arrays and errors', () => {
    const { logger, lines, parsed } = capture();
    const cause = new Error(`bank said no to ${MOBILE}`);
    const error = new TypeError(`bad card ${CARD}`, { cause });
    logger.error(`customer said ${CARD} / ${ID} / ${E164} / ${CODE}`, {
      said: `my number is ${MOBILE} and the code ${CODE}`,
      nested: { list: [`${ID}`, { deeper: [`+86 ${MOBILE}`] }] },
      [`by ${MOBILE}`]: 1,
      asNumber: 13800138000,
      err: error,
      error,
    });
    const all = lines.join('\n');
    for (const secret of [CARD, ID, MOBILE, CODE, '0013']) expect(all).not.toContain(secret);
    const line = parsed()[0];
    expect(line?.msg).toBe('customer said 6222 **** **** 0128 / 1101**********002X / 138****8000 / ******');
    expect(line?.said).toBe('my number is 138****8000 and the code ******');
    expect(line?.nested).toEqual({ list: ['1101**********002X', { deeper: ['138****8000'] }] });
    expect(line?.['by 138****8000']).toBe(1);
    expect(line?.asNumber).toBe('138****8000');
    for (const key of ['err', 'error']) {
      expect(line?.[key]).toMatchObject({
        name: 'TypeError',
        message: 'bad card 6222 **** **** 0128',
        stack: expect.stringMatching(/^TypeError: bad card 6222 \*\*\*\* \*\*\*\* 0128\n\s+at /),
        cause: { name: 'Error', message: 'bank said no to 138****8000' },
      });
    }
  });

  test('circular and very deep values do not break a line', () => {
    const { logger, parsed } = capture();
    const loop: Record<string, unknown> = { phoneless: 'x' };
    loop.self = loop;
    let deep: Record<string, unknown> = { v: MOBILE };
    for (let i = 0; i < 20; i++) deep = { d: deep };
    logger.info('odd', { loop, deep, when: new Date(0), bytes: Buffer.from('secret'), f: () => 1 });
    const line = parsed()[0];
    expect(line?.loop).toEqual({ phoneless: 'x', self: '[circular]' });
    expect(JSON.stringify(line)).not.toContain(MOBILE);
    expect(line?.when).toBe('1970-01-01T00:00:00.000Z');
    expect(line?.bytes).toBe('[6 bytes]');
    expect(line).not.toHaveProperty('f');
  });

  test('the fields object passed in is not changed', () => {
    const { logger } = capture();
    const fields = { phone: E164, nested: { said: MOBILE } };
    logger.info('x', fields);
    expect(fields).toEqual({ phone: E164, nested: { said: MOBILE } });
  });
});

describe('CR/LF cannot forge a line', () => {
  const forged = 'hi\n{"level":"error","time":"2026-11-28T02:00:00.000Z","msg":"forged"}\r\n';

  test.each(['debug', 'info', 'warn', 'error'] as const)('at %s: one call, one line, which parses back', (level) => {
    const { logger, lines, parsed } = capture('debug');
    logger[level](forged, { said: forged, [forged]: forged, nested: [{ said: forged }] });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\r\n\u2028\u2029]/);
    const line = parsed()[0];
    expect(line).toMatchObject({ level, msg: forged, said: forged, [forged]: forged, nested: [{ said: forged }] });
  });

  test('Unicode line separators are escaped too', () => {
    const { logger, lines, parsed } = capture();
    logger.info('a\u2028b\u2029c\u0085d', { said: 'x\u2028{"msg":"forged"}' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\r\n\u0085\u2028\u2029]/);
    expect(parsed()[0]).toMatchObject({ msg: 'a\u2028b\u2029c\u0085d', said: 'x\u2028{"msg":"forged"}' });
  });
});

describe('one call writes a bounded line, whatever it is given', () => {
  test('a long string keeps its first 2 KB and says how long it was; a card in that part is still masked', () => {
    const { logger, lines, parsed } = capture();
    const said = `卡号 ${CARD} ` + 'x'.repeat(5_000_000);
    logger.debug('activity in', { said });
    expect(lines[0]?.length).toBeLessThan(3000);
    const logged = String(parsed()[0]?.said);
    expect(logged.startsWith('卡号 6222 **** **** 0128 xxx')).toBe(true);
    expect(logged.endsWith(`…[${said.length} chars]`)).toBe(true);
    expect(lines[0]).not.toContain(CARD);
  });

  test('a long message, key, error message and stack are capped too', () => {
    const { logger, lines, parsed } = capture();
    const err = new Error('y'.repeat(100_000));
    err.stack = 'z'.repeat(100_000);
    logger.error('m'.repeat(100_000), { ['k'.repeat(10_000)]: 1, err });
    expect(lines[0]?.length).toBeLessThan(16 * 1024 + 4096);
    const line = parsed()[0] as Record<string, unknown>;
    expect(String(line.msg)).toContain('…[100000 chars]');
    expect(Object.keys(line).some((k) => k.startsWith('kkk') && k.endsWith('…[10000 chars]'))).toBe(true);
  });

  test('long lists and wide objects are cut short and counted', () => {
    const { logger, parsed } = capture();
    const wide = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, i]));
    logger.info('lists', { list: Array.from({ length: 10_000 }, (_, i) => i), wide });
    const line = parsed()[0] as { list: unknown[]; wide: Record<string, unknown> };
    expect(line.list).toHaveLength(51);
    expect(line.list[50]).toBe('[9950 more]');
    expect(Object.keys(line.wide)).toHaveLength(51);
    expect(line.wide['…']).toBe('450 more fields');
  });

  test('many strings share one budget per line: the line stays small and still parses', () => {
    const { logger, lines, parsed } = capture();
    const many = Array.from({ length: 50 }, () => 'w'.repeat(2000));
    logger.warn('many', { a: many, b: many, c: many });
    expect(lines[0]?.length).toBeLessThan(16 * 1024 + 8 * 1024);
    expect(JSON.stringify(parsed()[0])).toContain('[omitted]');
  });

  test('a sensitive value of absurd length is not written at all', () => {
    const { logger, lines, parsed } = capture();
    logger.info('odd', { phone: '1'.repeat(1_000_000) });
    expect(parsed()[0]?.phone).toBe('[redacted]');
    expect(lines[0]?.length).toBeLessThan(500);
  });
});
