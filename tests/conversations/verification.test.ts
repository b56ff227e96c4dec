import { cd, createHarness, ON_HTTP_BANK, TEST_BANK_TOKEN, type Harness } from '../support/harness';
import { driveTo } from '../support/drive';
import { LI, ZHANG } from '../support/demo';

// Wrong, expired and resent codes, the cooldown, the lockout across conversations, a failing SMS
// gateway, frozen accounts, an unreachable number and a number that is taken are conversation
// scripts: tests/scripts/codes/*.yaml, tests/scripts/identity/*.yaml and
// tests/scripts/flows/wrong-code-then-success.yaml. What needs code stays here.

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.dispose());

describe('the bank core this run talks to', () => {
  test('on the HTTP bank, a whole change goes over HTTP with the token and a keyed change; embedded otherwise', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'confirm');
    expect(cd((await c.say('确认')).at(-1)).outcome).toBe('phoneChanged');
    expect(h.services.config.BANK_PROVIDER).toBe(ON_HTTP_BANK ? 'http' : 'embedded');
    if (!ON_HTTP_BANK) {
      expect(h.bankMock).toBeUndefined();
      return;
    }
    const asked = h.bankMock?.received ?? [];
    expect(asked.map((r) => r.operation)).toEqual(['verifyIdentity', 'phoneOwner', 'changeBoundPhone']);
    expect(asked.every((r) => r.headers.authorization === `Bearer ${TEST_BANK_TOKEN}`)).toBe(true);
    expect(asked.at(-1)?.headers['idempotency-key']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await h.bankMock?.bank.boundPhone(ZHANG.card)).not.toBe(ZHANG.phone);
  });
});

describe('one-time codes', () => {
  test('codes never appear in replies or in the stored audit', async () => {
    const c = h.conversation();
    const all = [...(await driveTo(h, c, 'confirm'))];
    const codes = h.sms.sent.map((m) => /(\d{6})/.exec(m.text)?.[1]).filter(Boolean) as string[];
    all.push(...(await c.say('确认')));
    const audit = JSON.stringify(await h.services.audit.list());
    for (const code of codes) {
      for (const r of all) expect(r.text).not.toContain(code);
      expect(audit).not.toContain(code);
    }
    expect(audit).not.toContain(ZHANG.card);
    expect(audit).not.toContain(ZHANG.national);
  });
});

describe('identity checks', () => {
  /** Drives the three details and returns the first reply to the last one (the verdict). */
  async function check(card: string, id: string, phone: string, conv = 'c') {
    const c = h.conversation(conv);
    await c.say('换手机号');
    await c.say(card);
    await c.say(id);
    return (await c.say(phone))[0];
  }

  test('an unknown card, a wrong ID and a wrong current number get identical replies', async () => {
    const unknownCard = await check('6222021234567890003', ZHANG.id, ZHANG.national, 'a');
    const wrongId = await check(ZHANG.card, LI.id, ZHANG.national, 'b');
    const wrongPhone = await check(ZHANG.card, ZHANG.id, LI.national, 'c');
    expect(cd(unknownCard)).toMatchObject({ key: 'identity.failed', intent: 'inform' });
    // The wording differs only in attempts left for the known card; compare key and data.
    expect(cd(wrongId)).toEqual(cd(unknownCard));
    expect(wrongId?.text).toBe(unknownCard?.text);
    expect(cd(wrongPhone)).toEqual(cd(unknownCard));
    expect(h.sms.sent).toHaveLength(0);
  });
});
