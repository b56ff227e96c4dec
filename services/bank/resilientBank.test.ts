import { join } from 'node:path';
import { openDatabase } from '../platform/openDatabase';
import { loadSeed } from './loadSeed';
import { BankUnavailableError, createResilientBank } from './resilientBank';
import { createSqliteBankCore } from './sqlite';
import type { BankCore, ChangeRequest, IdentityResult } from './index';
import type { BreakerState } from './resilientBank';
import type { SqliteBankCore } from './sqlite';

const DEMO = join(__dirname, '../../data/demo-bank.json');
const ZHANG = {
  cardNumber: '6222021234567890128',
  idType: 'CN_RESIDENT',
  idNumber: '11010519491231002X',
  phone: '+8613800138000',
} as const;
const FRESH = '+8618612345678';

function sqliteCore(): SqliteBankCore {
  let n = 0;
  const db = openDatabase(':memory:');
  const core = createSqliteBankCore({ db, clock: () => 1_700_000_000_000, newId: () => `id-${++n}` });
  core.seed(loadSeed(DEMO));
  return core;
}

/** A bank whose `verifyIdentity` does what the test says next; counts the calls that reach it. */
interface ScriptedBank extends BankCore {
  calls: number;
  next: () => Promise<IdentityResult>;
}
function scriptedBank(): ScriptedBank {
  const bank: ScriptedBank = {
    calls: 0,
    next: () => Promise.resolve({ match: false }),
    async verifyIdentity() {
      bank.calls += 1;
      return bank.next();
    },
    phoneOwner: async () => 'none',
    changeBoundPhone: async () => ({ status: 'conflict' }),
    boundPhone: async () => undefined,
  };
  return bank;
}

const CLAIM = ZHANG;
const failing = () => Promise.reject(new Error('database is locked (test)'));
const healthy = (): Promise<IdentityResult> => Promise.resolve({ match: false });

async function rejection(p: Promise<unknown>): Promise<BankUnavailableError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(BankUnavailableError);
  return e as BankUnavailableError;
}

describe('createResilientBank', () => {
  afterEach(() => jest.restoreAllMocks());

  it('passes the real core through: answers, including a conflict, are not failures', async () => {
    const core = sqliteCore();
    const bank = createResilientBank(core, { breakerFailures: 1 });
    const id = await bank.verifyIdentity(ZHANG);
    expect(id).toMatchObject({ match: true, standing: 'ok' });
    if (!id.match) throw new Error('unreachable');
    expect(await bank.phoneOwner(id.customerId, FRESH)).toBe('none');
    const req: ChangeRequest = {
      cardId: id.cardId,
      oldPhone: ZHANG.phone,
      newPhone: FRESH,
      idempotencyKey: 'k1',
      conversationId: 'c',
    };
    expect(await bank.changeBoundPhone(req)).toMatchObject({ status: 'changed', firstTime: true });
    expect(await bank.changeBoundPhone({ ...req, idempotencyKey: 'k2' })).toEqual({ status: 'conflict' });
    expect(await bank.boundPhone(ZHANG.cardNumber)).toBe(FRESH);
    expect(bank.breakerState()).toBe('closed');
    // Seeding, the audit trail and closing stay on the raw core: the wrapper has only the BankCore calls.
    expect(Object.keys(bank).sort()).toEqual([
      'boundPhone',
      'breakerState',
      'changeBoundPhone',
      'phoneOwner',
      'verifyIdentity',
    ]);
    core.close();
  });

  it('a failure reaches the caller as BankUnavailableError with the cause, never the arguments', async () => {
    const raw = scriptedBank();
    raw.next = failing;
    const e = await rejection(createResilientBank(raw).verifyIdentity(CLAIM));
    expect(e.reason).toBe('failed');
    expect((e.cause as Error).message).toMatch(/database is locked/);
    expect(e.message).not.toContain(CLAIM.cardNumber);
    expect(e.message).not.toContain(CLAIM.idNumber);
  });

  it('a slow async bank: the caller is answered at the timeout, the call itself runs on', async () => {
    const raw = scriptedBank();
    let release: (r: IdentityResult) => void = () => undefined;
    raw.next = () => new Promise<IdentityResult>((resolve) => (release = resolve));
    const bank = createResilientBank(raw, { timeoutMs: 50 });
    const e = await rejection(bank.verifyIdentity(CLAIM));
    expect(e.reason).toBe('timeout');
    expect(raw.calls).toBe(1);
    release({ match: false }); // let the abandoned call finish
    // A timeout is one failure, not a broken bank: the next call goes through.
    raw.next = healthy;
    await expect(bank.verifyIdentity(CLAIM)).resolves.toEqual({ match: false });
  });

  it('opens after N consecutive failures: later calls are refused at once, without reaching the bank', async () => {
    const raw = scriptedBank();
    const states: BreakerState[] = [];
    const bank = createResilientBank(raw, { breakerFailures: 3, onStateChange: (s) => states.push(s) });
    raw.next = failing;
    for (let i = 0; i < 3; i += 1) expect((await rejection(bank.verifyIdentity(CLAIM))).reason).toBe('failed');
    expect(bank.breakerState()).toBe('open');
    expect(states).toEqual(['open']);

    raw.next = healthy; // the bank is back, but the breaker does not know yet
    for (const call of [
      () => bank.verifyIdentity(CLAIM),
      () => bank.phoneOwner('c', FRESH),
      () => bank.changeBoundPhone({ cardId: 'x', oldPhone: 'a', newPhone: 'b', idempotencyKey: 'k', conversationId: 'c' }),
    ]) {
      expect((await rejection(call())).reason).toBe('circuitOpen');
    }
    expect(raw.calls).toBe(3);
  });

  it('a success in between resets the count: only consecutive failures open it', async () => {
    const raw = scriptedBank();
    const bank = createResilientBank(raw, { breakerFailures: 3 });
    for (const next of [failing, failing, healthy, failing, failing]) {
      raw.next = next;
      await bank.verifyIdentity(CLAIM).catch(() => undefined);
    }
    expect(bank.breakerState()).toBe('closed');
    expect(raw.calls).toBe(5);
  });

  it('after the cooldown one call tests the bank: success closes the breaker, failure opens it again', async () => {
    // cockatiel reads Date.now() for the cooldown: move it instead of waiting.
    let now = 1_800_000_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const raw = scriptedBank();
    const states: BreakerState[] = [];
    const bank = createResilientBank(raw, { breakerFailures: 2, cooldownMs: 30_000, onStateChange: (s) => states.push(s) });
    raw.next = failing;
    await bank.verifyIdentity(CLAIM).catch(() => undefined);
    await bank.verifyIdentity(CLAIM).catch(() => undefined);
    expect(bank.breakerState()).toBe('open');

    now += 29_999;
    expect((await rejection(bank.verifyIdentity(CLAIM))).reason).toBe('circuitOpen');
    expect(raw.calls).toBe(2);

    // Cooldown over, bank still down: the one test call fails and the breaker opens again.
    now += 2;
    expect((await rejection(bank.verifyIdentity(CLAIM))).reason).toBe('failed');
    expect(raw.calls).toBe(3);
    expect(bank.breakerState()).toBe('open');
    expect((await rejection(bank.verifyIdentity(CLAIM))).reason).toBe('circuitOpen');

    // Next cooldown over, bank back: the test call succeeds and the breaker closes.
    now += 30_001;
    raw.next = healthy;
    await expect(bank.verifyIdentity(CLAIM)).resolves.toEqual({ match: false });
    expect(bank.breakerState()).toBe('closed');
    await expect(bank.verifyIdentity(CLAIM)).resolves.toEqual({ match: false });
    expect(raw.calls).toBe(5);
    expect(states).toEqual(['open', 'halfOpen', 'open', 'halfOpen', 'closed']);
  });
});

test('every call that gave no answer is told to onFailure with its name, never its arguments; answers are not', async () => {
  const raw = scriptedBank();
  const told: Array<[string, string]> = [];
  const bank = createResilientBank(raw, { onFailure: (call, error) => told.push([call, error.reason]) });
  await bank.verifyIdentity(CLAIM);
  raw.next = failing;
  await rejection(bank.verifyIdentity(CLAIM));
  expect(told).toEqual([['verifyIdentity', 'failed']]);
  expect(JSON.stringify(told)).not.toContain(CLAIM.cardNumber);
});
