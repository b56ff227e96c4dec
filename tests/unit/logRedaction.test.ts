import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config';
import { createBot } from '../../server/createBot';
import { startServer } from '../../server/createServer';
import { createServices } from '../../server/createServices';
import { turnLogMiddleware } from '../../server/turnLog';
import { createLogger, type LogLevel } from '../../services/platform/log';
import { readOutbox } from '../../services/sms/outbox';
import { driveTo } from '../support/drive';
import { FRESH, ZHANG } from '../support/demo';
import { cd, createHarness, last, NLU_CACHE, TEST_SECRET } from '../support/harness';
import { ExpectRepliesClient } from '../support/httpClient';
import { DEMO_SEED } from '../support/server';

const RANK: Record<string, number> = { debug: 10, info: 20, warn: 30, error: 40 };
/** Customer text that tries to start a log line of its own. */
const FORGED = 'hi\n{"level":"error","time":"2026-11-28T02:00:00.000Z","msg":"forged"}\r\n';

/** Every line is one JSON object at or above `level`, and none holds a secret (named by its start only). */
function expectClean(lines: string[], level: LogLevel, secrets: string[]): Array<Record<string, unknown>> {
  const parsed = lines.map((line) => {
    expect(line).not.toMatch(/[\r\n]/);
    return JSON.parse(line) as Record<string, unknown>;
  });
  for (const line of parsed) {
    expect(RANK[String(line.level)]).toBeGreaterThanOrEqual(RANK[level] ?? Infinity);
    expect(line.msg).not.toBe('forged');
  }
  const all = lines.join('\n');
  for (const secret of secrets) {
    if (all.includes(secret)) throw new Error(`a secret (${secret.slice(0, 3)}…) appears in the logs`);
  }
  return parsed;
}

describe.each(['debug', 'info', 'warn', 'error', 'silent'] as const)('LOG_LEVEL=%s', (level) => {
  test('a whole change of number, a handoff and a forged line: no card, ID, number or code in any line', async () => {
    const h = await createHarness({ logLevel: level });
    try {
      h.adapter.use(turnLogMiddleware(h.services.logger));
      const c = h.conversation('conv-logs');
      await c.join();
      await driveTo(h, c, 'confirm');
      expect(cd(last(await c.say('确认'))).outcome).toBe('phoneChanged');
      await c.say(FORGED);
      await c.say(`我的卡号 ${ZHANG.card}，身份证 ${ZHANG.id}，手机 ${ZHANG.phone}`);
      await c.say('转人工');

      const codes = h.sms.sent.map((m) => /(\d{6})/.exec(m.text)?.[1]).filter((x): x is string => Boolean(x));
      expect(codes).toHaveLength(2);
      const secrets = [ZHANG.card, ZHANG.id, ZHANG.phone, ZHANG.national, FRESH.phone, FRESH.national, ...codes];
      const lines = expectClean(h.logLines, level, secrets);

      if (level === 'silent') expect(lines).toHaveLength(0);
      if (level === 'debug') expect(lines.filter((l) => l.msg === 'turn end').length).toBeGreaterThanOrEqual(10);
      if (level === 'debug' || level === 'info') expect(lines.filter((l) => l.msg === 'turn').length).toBeGreaterThanOrEqual(10);
      if (level === 'debug') {
        const said = lines.filter((l) => l.msg === 'activity in' && l.type === 'message').map((l) => l.said);
        // The customer's words are there, masked; the forged line is data inside one field.
        expect(said).toContain(FORGED);
        expect(said).toContain('我的卡号 6222 **** **** 0128，身份证 1101**********002X，手机 138****8000');
        expect(said).toContain('138****8000');
        expect(said).toContain('******');
        const out = lines.filter((l) => l.msg === 'activity out');
        expect(out.map((l) => l.key)).toContain('change.done');
        // What was sent: its type and message key, never its text.
        const allowed = ['level', 'time', 'msg', 'type', 'conversation', 'key'];
        for (const l of out) expect(Object.keys(l).filter((k) => !allowed.includes(k))).toEqual([]);
      }
    } finally {
      h.dispose();
    }
  });
});

test('through HTTP (CloudAdapter) at debug: turn lines for every activity, and nothing secret', async () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(line) });
  const dataDir = mkdtempSync(join(tmpdir(), 'rebind-logs-'));
  const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, SECRET_KEY: TEST_SECRET, BANK_SEED_PATH: DEMO_SEED, LOG_LEVEL: 'debug' });
  const services = await createServices(config, logger, { nluCacheDir: NLU_CACHE });
  const running = await startServer(services, createBot(services));
  try {
    const outbox = join(dataDir, 'sms-outbox.jsonl');
    const codeFor = (phone: string) => {
      const code = readOutbox(outbox)
        .filter((m) => m.to === phone)
        .map((m) => /(\d{6})/.exec(m.text)?.[1])
        .filter((x): x is string => Boolean(x))
        .at(-1);
      if (!code) throw new Error(`no code for ${phone.slice(0, 3)}…`);
      return code;
    };
    const client = new ExpectRepliesClient(`http://127.0.0.1:${running.port}`, 'http-logs');
    await client.join();
    for (const text of ['更换绑定手机号', ZHANG.card, ZHANG.id, ZHANG.national, '能收到']) await client.say(text);
    const oldCode = codeFor(ZHANG.phone);
    await client.say(oldCode);
    await client.say(FRESH.national);
    const newCode = codeFor(FRESH.phone);
    await client.say(newCode);
    expect(cd(last(await client.say('确认'))).outcome).toBe('phoneChanged');
    await client.say(FORGED);

    const parsed = expectClean(lines, 'debug', [ZHANG.card, ZHANG.id, ZHANG.phone, ZHANG.national, FRESH.phone, FRESH.national, oldCode, newCode]);
    const ins = parsed.filter((l) => l.msg === 'activity in');
    const ends = parsed.filter((l) => l.msg === 'turn end');
    expect(ins).toHaveLength(11);
    expect(ends).toHaveLength(11);
    expect(ins.every((l) => l.channel === 'scripted' && typeof l.conversation === 'string')).toBe(true);
    expect(ends.every((l) => typeof l.ms === 'number' && typeof l.replies === 'number' && l.level === 'debug')).toBe(true);
    expect(ends.reduce((n, l) => n + Number(l.replies), 0)).toBe(parsed.filter((l) => l.msg === 'activity out').length);
    expect(ins.map((l) => l.said)).toContain(FORGED);
  } finally {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
