import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBankMock, type BankMock } from '../../scripts/bankMock';
import { loadBankContract, type BankContract, type BankOperation } from './contract';
import { BankHttpError, createHttpBankCore, type HttpBankOptions } from './http';
import { BankUnavailableError, createResilientBank } from './resilientBank';
import type { BankCore, IdentityResult } from './index';

const SEED = join(__dirname, '..', '..', 'data', 'demo-bank.json');
const TOKEN = 'bank-token-for-tests-0123';
const ZHANG = { card: '6222021234567890128', id: '11010519491231002X', phone: '+8613800138000' };
const LI_PHONE = '+8613900139000';
const WANG = { card: '6228480012345671', id: '440305198506150118', phone: '+8613600136000' };
const FRESH = '+8618612345678';

let contract: BankContract;
let mock: BankMock;
beforeAll(async () => {
  contract = await loadBankContract();
});
afterEach(async () => {
  await mock?.close();
});

const quick = { attemptTimeoutMs: 500, backoffMs: () => 5 };
const core = (over: Partial<HttpBankOptions> = {}): BankCore =>
  createHttpBankCore({ url: mock.url, token: TOKEN, contract, ...quick, ...over });

async function zhang(bank: BankCore): Promise<Extract<IdentityResult, { match: true }>> {
  const r = await bank.verifyIdentity({ cardNumber: ZHANG.card, idType: 'CN_RESIDENT', idNumber: ZHANG.id, phone: ZHANG.phone });
  if (!r.match) throw new Error('zhang should match');
  return r;
}

/** A mock that answers the first `n` calls of `operation` with `status`, then as it should. */
function failing(operation: BankOperation, n: number, status = 503): NonNullable<Parameters<typeof startBankMock>[0]['rewrite']> {
  let left = n;
  return (op, answer) => (op === operation && left-- > 0 ? { status, body: { type: 'about:blank', title: 'down', status, code: 'serverError' } } : answer);
}

describe('the bank core over HTTP answers as the embedded one does', () => {
  beforeEach(async () => {
    mock = await startBankMock({ seedPath: SEED, token: TOKEN });
  });

  test('identity: a match with its standing, and one answer for every mismatch', async () => {
    const bank = core();
    expect(await zhang(bank)).toMatchObject({ match: true, standing: 'ok' });
    const wang = await bank.verifyIdentity({ cardNumber: WANG.card, idType: 'CN_RESIDENT', idNumber: WANG.id, phone: WANG.phone });
    expect(wang).toMatchObject({ match: true, standing: 'customerFrozen' });
    for (const wrong of [
      { cardNumber: '6222021234567890129', idType: 'CN_RESIDENT' as const, idNumber: ZHANG.id, phone: ZHANG.phone },
      { cardNumber: ZHANG.card, idType: 'CN_RESIDENT' as const, idNumber: WANG.id, phone: ZHANG.phone },
      { cardNumber: ZHANG.card, idType: 'CN_RESIDENT' as const, idNumber: ZHANG.id, phone: FRESH },
    ]) {
      expect(await bank.verifyIdentity(wrong)).toEqual({ match: false });
    }
  });

  test('who holds a number; the change, once per key; a conflict; the bound number', async () => {
    const bank = core();
    const { customerId, cardId } = await zhang(bank);
    expect(await bank.phoneOwner(customerId, LI_PHONE)).toBe('other');
    expect(await bank.phoneOwner(customerId, ZHANG.phone)).toBe('self');
    expect(await bank.phoneOwner(customerId, FRESH)).toBe('none');

    const req = { cardId, oldPhone: ZHANG.phone, newPhone: FRESH, idempotencyKey: 'conv-1:code-9', conversationId: 'test/conv-1' };
    const first = await bank.changeBoundPhone(req);
    expect(first).toMatchObject({ status: 'changed', firstTime: true });
    const again = await bank.changeBoundPhone(req);
    expect(again).toEqual({ ...first, firstTime: false });
    expect(await bank.boundPhone(ZHANG.card)).toBe(FRESH);
    // A new key on a number that is no longer the bound one: nothing changes.
    expect(await bank.changeBoundPhone({ ...req, idempotencyKey: 'conv-2:code-1' })).toEqual({ status: 'conflict' });
    expect(await bank.boundPhone('6222020000000000000')).toBeUndefined();
  });

  test('every call carries the bearer token; the change its Idempotency-Key, never the chart key or conversation id', async () => {
    const bank = core();
    const { cardId } = await zhang(bank);
    await bank.changeBoundPhone({ cardId, oldPhone: ZHANG.phone, newPhone: FRESH, idempotencyKey: 'test/conv-1:code-9', conversationId: 'test/conv-1' });
    expect(mock.received.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const change = mock.received.find((r) => r.operation === 'changeBoundPhone');
    expect(change?.headers['idempotency-key']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(change)).not.toContain('conv-1');
  });

  test('a wrong token is refused (401) and not tried again', async () => {
    const bank = core({ token: 'not-the-token' });
    await expect(zhang(bank)).rejects.toMatchObject({ name: 'BankHttpError', failure: 'refused', status: 401 });
    expect(mock.received).toHaveLength(1);
  });
});

describe('retries only where a call is safe to repeat', () => {
  test('a read after 503, 503 is tried again and answered; three requests', async () => {
    mock = await startBankMock({ seedPath: SEED, token: TOKEN, rewrite: failing('verifyIdentity', 2) });
    expect(await zhang(core())).toMatchObject({ match: true });
    expect(mock.received.filter((r) => r.operation === 'verifyIdentity')).toHaveLength(3);
  });

  test('the change after a 502 is sent again with the same key and body, and changes once', async () => {
    mock = await startBankMock({ seedPath: SEED, token: TOKEN, rewrite: failing('changeBoundPhone', 1, 502) });
    const bank = core();
    const { cardId } = await zhang(bank);
    const done = await bank.changeBoundPhone({ cardId, oldPhone: ZHANG.phone, newPhone: FRESH, idempotencyKey: 'k', conversationId: 'c' });
    expect(done).toMatchObject({ status: 'changed' });
    const sent = mock.received.filter((r) => r.operation === 'changeBoundPhone');
    expect(sent).toHaveLength(2);
    expect(sent[0]?.headers['idempotency-key']).toBe(sent[1]?.headers['idempotency-key']);
    expect(sent[0]?.body).toEqual(sent[1]?.body);
  });

  test('a change whose answer was lost (the bank committed, the reply never came) is asked again and answers the first change', async () => {
    // The first answer is dropped after the bank changed the number: the caller sees no answer.
    let dropped = false;
    mock = await startBankMock({
      seedPath: SEED,
      token: TOKEN,
      rewrite: (op, answer) => {
        if (op !== 'changeBoundPhone' || dropped) return answer;
        dropped = true;
        return { status: 504, body: { type: 'about:blank', title: 'gateway timeout', status: 504, code: 'serverError' } };
      },
    });
    const bank = core();
    const { cardId } = await zhang(bank);
    const done = await bank.changeBoundPhone({ cardId, oldPhone: ZHANG.phone, newPhone: FRESH, idempotencyKey: 'k2', conversationId: 'c' });
    expect(done).toMatchObject({ status: 'changed', firstTime: false });
    expect(await bank.boundPhone(ZHANG.card)).toBe(FRESH);
  });

  test.each([400, 500])('an answer %i is not asked again', async (status) => {
    mock = await startBankMock({ seedPath: SEED, token: TOKEN, rewrite: failing('verifyIdentity', 5, status) });
    await expect(zhang(core())).rejects.toMatchObject({ failure: 'refused', status });
    expect(mock.received).toHaveLength(1);
  });

  test('no answer at all: three attempts within their time, then unreachable', async () => {
    const hanging: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    let attempts = 0;
    hanging.on('request', () => (attempts += 1));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    mock = await startBankMock({ seedPath: SEED });
    const started = Date.now();
    try {
      await expect(zhang(createHttpBankCore({ url, contract, attemptTimeoutMs: 150, backoffMs: () => 5 }))).rejects.toMatchObject({
        failure: 'unreachable',
      });
      expect(attempts).toBe(3);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });
});

describe('an answer that breaks the contract is never believed', () => {
  test.each<[string, unknown]>([
    ['a field missing', { match: true, customerRef: 'c1', standing: 'ok' }],
    ['a wrong type', { match: 'yes' }],
    ['an unknown standing', { match: true, customerRef: 'c1', cardRef: 'k1', standing: 'maybe' }],
    ['an extra field that could leak', { match: false, cardRef: 'k1' }],
    ['not JSON', 'match=true'],
  ])('%s: malformed, not tried again', async (_what, body) => {
    mock = await startBankMock({ seedPath: SEED, token: TOKEN, rewrite: (op, a) => (op === 'verifyIdentity' ? { status: 200, body } : a) });
    const failure = zhang(core());
    await expect(failure).rejects.toBeInstanceOf(BankHttpError);
    await expect(failure).rejects.toMatchObject({ failure: 'malformed' });
    expect(mock.received).toHaveLength(1);
  });

  test('malformed answers count towards the circuit breaker: it opens and the bank is no longer asked', async () => {
    mock = await startBankMock({ seedPath: SEED, token: TOKEN, rewrite: (op, a) => (op === 'verifyIdentity' ? { status: 200, body: { match: 1 } } : a) });
    const bank = createResilientBank(core(), { breakerFailures: 2, cooldownMs: 60_000 });
    for (let i = 0; i < 2; i += 1) await expect(zhang(bank)).rejects.toMatchObject({ reason: 'failed' });
    expect(bank.breakerState()).toBe('open');
    await expect(zhang(bank)).rejects.toBeInstanceOf(BankUnavailableError);
    await expect(zhang(bank)).rejects.toMatchObject({ reason: 'circuitOpen' });
    expect(mock.received).toHaveLength(2);
  });
});

describe('mutual TLS', () => {
  let dir: string;
  const pem = (name: string) => readFileSync(join(dir, name));
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rebind-mtls-'));
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Test Bank CA');
    for (const [name, cn] of [['server', '127.0.0.1'], ['client', 'rebind'], ['stranger', 'rebind']] as const) {
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
      const signer = name === 'stranger' ? ['-signkey', `${name}.key`] : ['-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial'];
      const ext = name === 'server' ? ['-extfile', writeSan()] : [];
      ssl('x509', '-req', '-in', `${name}.csr`, ...signer, '-out', `${name}.pem`, '-days', '1', ...ext);
    }
    function writeSan(): string {
      execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1" > san.ext'], { cwd: dir });
      return 'san.ext';
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeEach(async () => {
    mock = await startBankMock({ seedPath: SEED, token: TOKEN, tls: { cert: pem('server.pem'), key: pem('server.key'), ca: pem('ca.pem') } });
  });

  test('with the bank CA and a client certificate it signed: answered', async () => {
    const bank = core({ tls: { ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client.key') } });
    expect(await zhang(bank)).toMatchObject({ match: true });
  });

  test('without a client certificate, or with one the bank did not sign: no answer, nothing read', async () => {
    await expect(zhang(core({ tls: { ca: pem('ca.pem') }, retries: 0 }))).rejects.toMatchObject({ failure: 'unreachable' });
    await expect(zhang(core({ tls: { ca: pem('ca.pem'), cert: pem('stranger.pem'), key: pem('stranger.key') }, retries: 0 }))).rejects.toMatchObject({
      failure: 'unreachable',
    });
    expect(mock.received).toHaveLength(0);
  });

  test('a bank whose certificate the bot does not trust is not talked to', async () => {
    await expect(zhang(core({ tls: { cert: pem('client.pem'), key: pem('client.key') }, retries: 0 }))).rejects.toMatchObject({ failure: 'unreachable' });
    expect(mock.received).toHaveLength(0);
  });
});
