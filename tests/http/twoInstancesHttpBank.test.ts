import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBankMock, type BankMock } from '../../scripts/bankMock';
import { readOutbox } from '../../services/sms/outbox';
import { FRESH, ZHANG } from '../support/demo';
import { cd } from '../support/harness';
import { changeNumber, ExpectRepliesClient } from '../support/httpClient';
import { testRedisUrl, uniquePrefix } from '../support/redis';
import { DEMO_SEED, startTestServer, type TestServer } from '../support/server';

/**
 * Two instances as a bank would run them: separate machines (a DATA_DIR each, nothing shared on disk),
 * one Redis, and the bank's core over HTTP. A customer's turns alternate between them; the change is
 * made once, in the one bank.
 */

jest.setTimeout(120_000);

const TOKEN = 'two-instances-bank-token';
let bank: BankMock;
let a: TestServer;
let b: TestServer;
let smsDir: string;

beforeAll(async () => {
  bank = await startBankMock({ seedPath: DEMO_SEED, token: TOKEN });
  smsDir = mkdtempSync(join(tmpdir(), 'rebind-sms-'));
  const shared = {
    STORAGE: 'redis',
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: uniquePrefix('two-http'),
    BANK_PROVIDER: 'http',
    BANK_HTTP_URL: bank.url,
    BANK_HTTP_TOKEN: TOKEN,
    // The SMS gateway both send through (here an outbox file): where the customer's phone reads codes.
    SMS_OUTBOX_PATH: join(smsDir, 'sms.jsonl'),
  };
  a = await startTestServer(shared);
  b = await startTestServer(shared);
});

afterAll(async () => {
  await a?.dispose();
  await b?.dispose();
  await bank?.close();
  rmSync(smsDir, { recursive: true, force: true });
});

test('a change whose turns alternate between two instances with their own DATA_DIR, on the HTTP bank', async () => {
  expect(a.dataDir).not.toBe(b.dataDir);
  const clients = [new ExpectRepliesClient(a.base, 'two-http-1'), new ExpectRepliesClient(b.base, 'two-http-1')];
  let turn = 0;
  const served: string[] = [];
  const alternating = {
    say: (text: string) => {
      const i = turn % 2;
      served.push(i === 0 ? 'a' : 'b');
      return (clients[i] as ExpectRepliesClient).say(text, `alt-${turn++}`);
    },
  };
  const codeFor = (phone: string): string => {
    const code = readOutbox(join(smsDir, 'sms.jsonl'))
      .filter((m) => m.to === phone)
      .map((m) => /(\d{6})/.exec(m.text)?.[1])
      .filter(Boolean)
      .at(-1);
    if (!code) throw new Error(`no code for ${phone}`);
    return code;
  };
  const done = await changeNumber(alternating, { customer: ZHANG, to: FRESH, codeFor });
  expect(cd(done)).toMatchObject({ key: 'change.done', outcome: 'phoneChanged' });
  expect(served).toContain('a');
  expect(served).toContain('b');
  // One bank, changed once; neither instance has a bank of its own.
  expect(await bank.bank.boundPhone(ZHANG.card)).toBe(FRESH.phone);
  expect(bank.received.filter((r) => r.operation === 'changeBoundPhone')).toHaveLength(1);
  for (const server of [a, b]) expect(existsSync(join(server.dataDir, 'bank.sqlite'))).toBe(false);
});
