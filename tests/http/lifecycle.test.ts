import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SmsGateway, SmsMessage } from '../../services/sms';
import { ExpectRepliesClient } from '../support/httpClient';
import { ZHANG } from '../support/demo';
import { cd, last } from '../support/harness';
import { startTestServer } from '../support/server';

const ROOT = join(__dirname, '..', '..');
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'rebind-life-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('with MicrosoftAppId set, a request without a Bot Framework token is refused', async () => {
  const server = await startTestServer({
    MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
    MicrosoftAppPassword: 'not-a-real-secret',
  });
  try {
    const client = new ExpectRepliesClient(server.base, 'auth');
    await expect(client.say('你好')).rejects.toThrow(/HTTP 401/);
  } finally {
    await server.dispose();
  }
});

test('stopping lets a turn in flight finish before the stores close', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const sent: SmsMessage[] = [];
  // An SMS gateway that holds the turn until we let it go.
  const slowSms: SmsGateway = {
    async send(m) {
      await gate;
      sent.push(m);
    },
  };
  const server = await startTestServer({}, { sms: slowSms });
  const { running } = server;
  const client = new ExpectRepliesClient(server.base, 'drain');
  await client.say('换手机号');
  await client.say(ZHANG.card);
  await client.say(ZHANG.id);
  // The first code goes as soon as the current number is given: that turn is in flight.
  const inFlight = client.say(ZHANG.national);
  await new Promise((r) => setTimeout(r, 100));
  const stopped = running.stop();
  release();
  const replies = await inFlight;
  await stopped;
  expect(cd(last(replies)).key).toBe('otp.sent.old');
  expect(sent).toHaveLength(1);
  await expect(fetch(`${server.base}/healthz`)).rejects.toThrow();
  await server.dispose();
});

test('npm start: the compiled bot (built first when dist/ is missing or stale) serves on its defaults and exits cleanly on SIGTERM', async () => {
  const dataDir = tempDir();
  const port = 30000 + Math.floor(Math.random() * 20000);
  // What `npm start` runs (npm itself is left out: it does not pass SIGTERM on).
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.js')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', SECRET_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    let healthy = false;
    for (let i = 0; i < 400 && !healthy; i += 1) {
      await new Promise((r) => setTimeout(r, 200));
      healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
    }
    expect(healthy).toBe(true);
    // Compiled JavaScript, not the sources: the build's stamp is there, no later than any source.
    const { needsBuild } = require(join(ROOT, 'scripts', 'start.js')) as { needsBuild: () => boolean };
    expect(existsSync(join(ROOT, 'dist', 'index.js'))).toBe(true);
    expect(needsBuild()).toBe(false);
    const client = new ExpectRepliesClient(`http://127.0.0.1:${port}`, 'process');
    expect(cd(last(await client.say('更换绑定手机号'))).expecting).toBe('cardNumber');
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(output).not.toMatch(/error/i);
}, 120_000);
