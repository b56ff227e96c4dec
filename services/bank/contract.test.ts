import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startBankMock, type BankMock } from '../../scripts/bankMock';
import { BANK_API_PATH, BANK_OPERATIONS, loadBankContract, type BankContract } from './contract';
import { createHttpBankCore } from './http';

/*
 * docs/bank-api.yaml is the contract between Rebind and a bank's core. The adapter's requests and the
 * reference server's answers are checked against it with openapi-backend; the document itself with
 * @seriousme/openapi-schema-validator (OpenAPI 3.1).
 */

const SEED = join(__dirname, '..', '..', 'data', 'demo-bank.json');
const TOKEN = 'contract-token-0123456789';
const ZHANG = { card: '6222021234567890128', id: '11010519491231002X', phone: '+8613800138000' };

let contract: BankContract;
let mock: BankMock;
beforeAll(async () => {
  contract = await loadBankContract();
});
afterEach(async () => {
  await mock?.close();
});

test('the document is valid OpenAPI 3.1, and its operations are the ones the adapter and the reference server implement', async () => {
  // The validator is an ES module, which jest cannot load: its own command line checks the file.
  const cli = require.resolve('@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
  const result = JSON.parse(execFileSync(process.execPath, [cli, BANK_API_PATH], { encoding: 'utf8' })) as unknown;
  expect(result).toEqual({ valid: true });
  expect(parse(readFileSync(BANK_API_PATH, 'utf8'))).toMatchObject({ openapi: '3.1.0' });
  const doc = parse(readFileSync(BANK_API_PATH, 'utf8')) as { paths: Record<string, Record<string, { operationId: string }>> };
  const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
  expect(ids.sort()).toEqual([...BANK_OPERATIONS].sort());
});

/** A whole conversation's worth of calls, and the tools' one, through the adapter. */
async function everyOperation(url: string): Promise<void> {
  const bank = createHttpBankCore({ url, token: TOKEN, contract, retries: 0 });
  const matched = await bank.verifyIdentity({ cardNumber: ZHANG.card, idType: 'CN_RESIDENT', idNumber: ZHANG.id, phone: ZHANG.phone });
  if (!matched.match) throw new Error('expected a match');
  await bank.verifyIdentity({ cardNumber: ZHANG.card, idType: 'PASSPORT', idNumber: 'E00000000', phone: ZHANG.phone });
  await bank.phoneOwner(matched.customerId, '+8613900139000');
  const change = { cardId: matched.cardId, oldPhone: ZHANG.phone, newPhone: '+8618612345678', idempotencyKey: 'k-1', conversationId: 'c-1' };
  await bank.changeBoundPhone(change);
  await bank.changeBoundPhone(change);
  await bank.changeBoundPhone({ ...change, idempotencyKey: 'k-2' });
  await bank.boundPhone(ZHANG.card);
  await bank.boundPhone('6222020000000000000');
}

test("every request the adapter sends conforms, and so does every answer of the reference server (refusals included)", async () => {
  mock = await startBankMock({ seedPath: SEED, token: TOKEN });
  await everyOperation(mock.url);
  expect(new Set(mock.received.map((r) => r.operation))).toEqual(new Set(BANK_OPERATIONS));
  for (const r of mock.received) {
    const headers = Object.fromEntries(Object.entries(r.headers).filter((e): e is [string, string | string[]] => e[1] !== undefined));
    const path = { verifyIdentity: '/identity/verify', phoneOwner: '/phones/owner', changeBoundPhone: '/cards/bound-phone/change', boundPhone: '/cards/bound-phone' }[r.operation as string] as string;
    expect(contract.requestProblem({ method: 'POST', path, headers, body: r.body })).toBeUndefined();
  }

  // The server's answers, asked directly: the same requests again, a missing token, a bad body.
  const ask = async (path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => {
    const res = await fetch(`${mock.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as unknown };
  };
  const claim = { cardNumber: ZHANG.card, idType: 'CN_RESIDENT', idNumber: ZHANG.id, phone: '+8618612345678' };
  const answers = [
    ['verifyIdentity', await ask('/identity/verify', claim)],
    ['verifyIdentity', await ask('/identity/verify', claim, {})],
    ['verifyIdentity', await ask('/identity/verify', { cardNumber: 'x' })],
    ['boundPhone', await ask('/cards/bound-phone', { cardNumber: ZHANG.card })],
    ['changeBoundPhone', await ask('/cards/bound-phone/change', { cardRef: 'k', oldPhone: ZHANG.phone, newPhone: '+8618612345678', conversationRef: 'c' })],
  ] as const;
  expect(answers.map(([, a]) => a.status)).toEqual([200, 401, 400, 200, 400]);
  for (const [operation, answer] of answers) {
    expect(contract.answerProblem(operation, answer.status, answer.body)).toBeUndefined();
    if (answer.status !== 200) expect(answer.type).toBe('application/problem+json');
  }
});

test('an answer that breaks the contract is caught: by the checker, and by the adapter, which refuses it', async () => {
  // A bank that says `customerId` where the contract says `customerRef`.
  mock = await startBankMock({
    seedPath: SEED,
    token: TOKEN,
    rewrite: (op, a) => {
      if (op !== 'verifyIdentity' || typeof a.body !== 'object' || a.body === null || !('customerRef' in a.body)) return a;
      const { customerRef, ...rest } = a.body as Record<string, unknown>;
      return { status: a.status, body: { ...rest, customerId: customerRef } };
    },
  });
  const res = await fetch(`${mock.url}/identity/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ cardNumber: ZHANG.card, idType: 'CN_RESIDENT', idNumber: ZHANG.id, phone: ZHANG.phone }),
  });
  expect(contract.answerProblem('verifyIdentity', res.status, await res.json())).toMatch(/customerRef/);
  await expect(everyOperation(mock.url)).rejects.toMatchObject({ name: 'BankHttpError', failure: 'malformed' });
});
