/**
 * `npm run chat` against the real bot, started in-process: the client's `join` and `send` for two
 * turns, the errors when the bot is not there or answers non-2xx, and the script itself with its
 * input piped (no terminal).
 */
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { BotHttpError, BotUnreachableError, createChatClient } from '../../scripts/chat/client';
import { parseInput, renderReplies } from '../../scripts/chat/render';
import { startTestServer, type TestServer } from '../support/server';
import { createCatalog } from '../../content';

/** The wording as the catalogue has it: the tests follow the content, not a copy of it. */
const catalog = createCatalog({ strict: true });
const zh = (key: string) => catalog.render('zh-CN', key);
const MENU = `[1] ${zh('button.changePhone')}  [2] ${zh('button.faq')}  [3] ${zh('button.agent')}`;

const root = join(__dirname, '..', '..');
// The script runs in a Node process that compiles it (tsx): a limit, not an assertion on timing.
jest.setTimeout(60_000);

let server: TestServer;
let url: string;
beforeAll(async () => {
  server = await startTestServer();
  url = `${server.base}/api/messages`;
});
afterAll(() => server.dispose());

/** A loopback port nothing listens on (it was free a moment ago). */
let NOBODY: string;
beforeAll(async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  NOBODY = `http://127.0.0.1:${port}/api/messages`;
});

test('two turns: the greeting, a button pressed by its number, then an answer', async () => {
  const client = createChatClient({ url, locale: 'zh-CN' });
  const greeting = renderReplies(await client.join());
  expect(greeting.lines[0]).toBe(`bot › ${zh('welcome.greeting').split('\n')[0]}`);
  expect(greeting.lines).toContain(`      ${MENU}`);
  expect(greeting.lines).toContain('      key=welcome.greeting');

  const pressed = parseInput('1', greeting.buttons);
  expect(pressed).toEqual({ kind: 'send', text: '更换绑定手机号' });
  const first = await client.send(pressed.kind === 'send' ? pressed.text : '');
  expect(first.at(-1)?.channelData).toMatchObject({ key: 'ask.cardNumber', expecting: 'cardNumber', intent: 'changePhone' });

  const second = await client.send('6222021234567890128');
  expect(second.at(-1)?.channelData).toMatchObject({ expecting: 'idNumber', intent: 'inform' });
  expect(renderReplies(second).lines.join('\n')).toContain('expecting=idNumber');
});

test('English, and /restart: a new conversation that is greeted again', async () => {
  const client = createChatClient({ url, locale: 'en-US' });
  await client.join();
  await client.send('I want to change my phone number');
  const before = client.conversation.id;
  const again = await client.restart();
  expect(client.conversation.id).not.toBe(before);
  expect(again[0]).toMatchObject({ locale: 'en-US', channelData: { key: 'welcome.greeting' } });
});

test('a bot that is not running: a clear error naming the URL', async () => {
  const client = createChatClient({ url: NOBODY, locale: 'zh-CN' });
  const err = await client.join().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BotUnreachableError);
  expect((err as Error).message).toBe(`cannot reach the bot at ${NOBODY} (ECONNREFUSED): is it running (npm start)?`);
});

test('a non-2xx answer is an error with its status', async () => {
  const client = createChatClient({ url: `${server.base}/api/nowhere`, locale: 'zh-CN' });
  const err = await client.send('hi').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BotHttpError);
  expect(err).toMatchObject({ status: 404 });
  expect((err as Error).message).toMatch(/^the bot answered HTTP 404.*\(is the URL the bot's \/api\/messages\?\)$/s);
});

/** Runs `npm run chat` (as tsx would) with `stdin` piped in; no terminal, so no colours. */
function chat(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/chat.ts', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

test('the script: greeting, a button by number, /help, /quit (exit 0)', async () => {
  const { code, stdout, stderr } = await chat(['--url', url], '1\n/help\n/quit\n');
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout).toContain(MENU);
  expect(stdout).toContain(`\nyou › ${zh('button.changePhone')}\n`);
  expect(stdout).toMatch(/key=ask\.cardNumber expecting=cardNumber intent=changePhone/);
  expect(stdout).toContain('/restart    a new conversation');
  expect(stdout).not.toContain('\x1b[');
});

test('the script: exit 1 with a clear message when the bot is not running', async () => {
  const { code, stderr } = await chat(['--url', NOBODY], '');
  expect(code).toBe(1);
  expect(stderr).toBe(`chat: cannot reach the bot at ${NOBODY} (ECONNREFUSED): is it running (npm start)?\n`);
});
