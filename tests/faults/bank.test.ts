import type { ChangeRequest, ChangeResult } from '../../services/bank';
import type { AuditType } from '../../services/audit';
import type { SqliteBankCore } from '../../services/bank/sqlite';
import { FRESH, LI, ZHANG } from '../support/demo';
import { driveTo } from '../support/drive';
import { cd, createHarness, keys, last, type Harness } from '../support/harness';

/*
 * The chart reaches the bank through `services.bankForChart` (timeout + breaker) which calls the raw
 * core, `services.bank`, at each call: a spy on the raw core is a bank that fails, or is slow, behind
 * the real wrapper with the real settings.
 */

let h: Harness;
afterEach(() => {
  jest.restoreAllMocks();
  h.dispose();
});

const count = async (type: AuditType) => (await h.services.audit.list()).filter((r) => r.type === type).length;
const bankDown = () => Promise.reject(new Error('bank core down (test)'));

test('a bank error during the identity check: error.bankUnavailable, not counted as a failed check; the conversation goes on', async () => {
  h = await createHarness({ env: { IDENTITY_MAX_ATTEMPTS: '1' } });
  const verify = jest.spyOn(h.services.bank, 'verifyIdentity').mockImplementationOnce(bankDown);
  const c = h.conversation();
  await c.say('更换绑定手机号');
  await c.say(ZHANG.card);
  await c.say(ZHANG.id);
  const reply = last(await c.say(ZHANG.national));
  expect(cd(reply).key).toBe('error.bankUnavailable');
  expect(verify).toHaveBeenCalledTimes(1);
  // One failed check would lock the card (IDENTITY_MAX_ATTEMPTS=1): a bank error is not a failed check.
  expect(await count('identity.failed')).toBe(0);
  expect(await count('identity.locked')).toBe(0);

  // The same conversation starts again and gets through (the bank is back).
  await driveTo(h, c, 'otp');
  expect(await count('identity.passed')).toBe(1);
});

test('a bank error while checking the new number: error.bankUnavailable, nothing changed; the customer can start again', async () => {
  h = await createHarness();
  jest.spyOn(h.services.bank, 'phoneOwner').mockImplementationOnce(bankDown);
  const c = h.conversation();
  await driveTo(h, c, 'newPhone');
  expect(cd(last(await c.say(FRESH.national))).key).toBe('error.bankUnavailable');
  expect(await h.services.bank.boundPhone(ZHANG.card)).toBe(ZHANG.phone);
  h.advance(61_000); // past the resend cooldown of the first code
  await driveTo(h, c, 'confirm');
  expect(cd(last(await c.say('确认'))).outcome).toBe('phoneChanged');
});

test('the breaker opens after BANK_BREAKER_FAILURES failures (later calls never reach the bank) and closes after the cooldown', async () => {
  h = await createHarness({ env: { BANK_BREAKER_FAILURES: '2', BANK_BREAKER_COOLDOWN_SECONDS: '1' } });
  const verify = jest.spyOn(h.services.bank, 'verifyIdentity').mockImplementation(bankDown);
  const check = async (conv: string, customer: { card: string; id: string; national: string }) => {
    const c = h.conversation(conv);
    await c.say('更换绑定手机号');
    await c.say(customer.card);
    await c.say(customer.id);
    return cd(last(await c.say(customer.national))).key;
  };
  expect(await check('a', ZHANG)).toBe('error.bankUnavailable');
  expect(await check('b', LI)).toBe('error.bankUnavailable');
  expect(verify).toHaveBeenCalledTimes(2);

  // Open: the customer hears the same thing at once, and the bank is not asked.
  verify.mockRestore(); // the bank is back, but the breaker does not know yet
  const reachesBank = jest.spyOn(h.services.bank, 'verifyIdentity');
  expect(await check('c', ZHANG)).toBe('error.bankUnavailable');
  expect(reachesBank).not.toHaveBeenCalled();

  // After the cooldown (cockatiel reads the real clock: wait it out, it is 1 s), one call tests the
  // bank; it answers, the breaker closes and every conversation goes on as usual.
  await new Promise((r) => setTimeout(r, 1100));
  // Identity checked: the first code goes at once.
  expect(await check('d', ZHANG)).toBe('otp.sent.old');
  expect(await check('e', LI)).toBe('otp.sent.old');
  expect(reachesBank).toHaveBeenCalledTimes(2);
}, 30_000);

test('the commit times out after the bank committed: error.changeFailed, then confirming again gives the same change, once, one notice per number', async () => {
  h = await createHarness({ env: { BANK_TIMEOUT_MS: '100' } });
  const raw = h.services.bank;
  const realChange = raw.changeBoundPhone.bind(raw);
  let answerLate: () => void = () => undefined;
  const late = new Promise<void>((resolve) => (answerLate = resolve));
  // A bank that commits, then is slow to say so (far beyond BANK_TIMEOUT_MS) the first time.
  const slowAfterCommit = async (req: ChangeRequest): Promise<ChangeResult> => {
    const r = await realChange(req);
    await late;
    return r;
  };
  const change = jest.spyOn(raw, 'changeBoundPhone').mockImplementationOnce(slowAfterCommit);

  const c = h.conversation();
  await driveTo(h, c, 'confirm');
  const failed = await c.say('确认');
  expect(keys(failed)).toEqual(['error.changeFailed', 'ask.confirm']);
  expect(cd(last(failed)).expecting).toBe('confirm');
  // The customer was not told it worked, yet it did: the bank has the change, no notice has gone out.
  expect(await raw.boundPhone(ZHANG.card)).toBe(FRESH.phone);
  expect(await count('notice.sent')).toBe(0);
  answerLate(); // the abandoned call finishes; nobody is listening

  const done = last(await c.say('确认'));
  expect(cd(done)).toMatchObject({ key: 'change.done', outcome: 'phoneChanged' });
  expect(change).toHaveBeenCalledTimes(2); // same idempotency key both times
  expect(new Set(change.mock.calls.map(([req]) => req.idempotencyKey)).size).toBe(1);

  // Exactly once: one change in the bank, one commit and one notice per number in the bot's audit.
  expect(embeddedBank(h).auditTrail().filter((r) => r.type === 'phone.changed')).toHaveLength(1);
  expect(await count('change.committed')).toBe(1);
  expect(await count('notice.sent')).toBe(2);
  const notices = (phone: string) => h.sms.to(phone).filter((m) => !/\d{6}/.test(m.text));
  expect(notices(ZHANG.phone)).toHaveLength(1);
  expect(notices(FRESH.phone)).toHaveLength(1);
});

test('a bank that throws at commit (nothing committed): error.changeFailed, and the next confirm makes the change', async () => {
  h = await createHarness();
  jest.spyOn(h.services.bank, 'changeBoundPhone').mockImplementationOnce(bankDown);
  const c = h.conversation();
  await driveTo(h, c, 'confirm');
  expect(keys(await c.say('确认'))).toEqual(['error.changeFailed', 'ask.confirm']);
  expect(await h.services.bank.boundPhone(ZHANG.card)).toBe(ZHANG.phone);
  expect(cd(last(await c.say('确认'))).outcome).toBe('phoneChanged');
  expect(embeddedBank(h).auditTrail().filter((r) => r.type === 'phone.changed')).toHaveLength(1);
  expect(await count('change.committed')).toBe(1);
});

/** The embedded bank behind a harness (these suites run on it), with its own audit trail. */
function embeddedBank(harness: Harness): SqliteBankCore {
  const bank = harness.services.bank as Partial<SqliteBankCore>;
  if (typeof bank.auditTrail !== 'function') throw new Error('these tests need BANK_PROVIDER=embedded');
  return bank as SqliteBankCore;
}
