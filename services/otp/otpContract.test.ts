import { redisForTests, uniquePrefix } from '../../tests/support/redis';
import { createRedisOtpService } from './redis';
import { dumpKeys } from '../../tests/support/dumpKeys';
import { openDatabase } from '../platform/openDatabase';
import type { Db } from '../platform/openDatabase';
import type { IssueResult, OtpService } from './index';
import type { OtpOptions } from './otpSettings';
import { createSqliteOtpService } from './sqlite';
import type { OtpBinding } from '../../domain/otpBinding';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2024, 5, 1, 8, 0, 0);

const CARD = '6222020200112233445';
const OTHER_CARD = '6222020200998877665';
const PHONE = '+8613800138000';
const NEW_PHONE = '+8613900139000';

const binding = (over: Partial<OtpBinding> = {}): OtpBinding => ({
  conversationId: 'conv-1',
  purpose: 'old',
  phone: PHONE,
  card: CARD,
  generation: 1,
  ...over,
});

/** One test's store, whatever holds it: every service made by `make` shares it. */
interface Store {
  make(options: OtpOptions): OtpService;
  /** Everything stored, as JSON (what someone reading the database or Redis sees). */
  dump(): Promise<string>;
  /** A name the dump shows for stored codes, and one for the card's attempt limit. */
  names: { codes: string; limits: string };
  close(): void;
}

const redis = redisForTests();

// The whole suite runs on every implementation: the chart cannot tell them apart.
const stores: Array<[string, () => Store]> = [
  [
    'SQLite',
    () => {
      const db = openDatabase(':memory:');
      return {
        make: (options) => createSqliteOtpService({ db, ...options }),
        dump: async () => dump(db),
        names: { codes: 'otp_codes', limits: 'attempt_limits' },
        close: () => db.close(),
      };
    },
  ],
  [
    'Redis',
    () => {
      const prefix = uniquePrefix('otp');
      return {
        make: (options) => createRedisOtpService({ redis, prefix, ...options }),
        dump: () => dumpKeys(redis, prefix),
        names: { codes: `${prefix}otp:code:`, limits: `${prefix}limit:otp:` },
        close: () => undefined,
      };
    },
  ],
];

let store: Store;

function setup(options: { codes?: number[] } = {}) {
  let now = T0;
  const codes = [...(options.codes ?? [])];
  let nextCode = 123456;
  let ids = 0;
  const otp = store.make({
    secret: Buffer.from('0123456789abcdef0123456789abcdef'),
    clock: () => now,
    // Pinned: the listed codes first, then 123456, 123457…
    random: (n) => {
      expect(n).toBe(1_000_000);
      return codes.shift() ?? nextCode++;
    },
    newId: () => `code-${++ids}`,
  });
  return {
    dump: () => store.dump(),
    otp,
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** Issues and asserts success; returns the code and its id. */
async function issued(otp: OtpService, b: OtpBinding = binding()) {
  const r = await otp.issue(b);
  if (!r.ok) throw new Error(`issue refused: ${JSON.stringify(r)}`);
  return r;
}

/** Every row of every table, as JSON. */
function dump(db: Db): string {
  const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
  return JSON.stringify(tables.map(({ name }) => ({ name, rows: db.prepare(`SELECT * FROM "${name}"`).all() })));
}

describe.each(stores)('OTP service (%s)', (_name, open) => {
  beforeEach(() => (store = open()));
  afterEach(() => store.close());

  it('issues a 6-digit code that verifies once', async () => {
    const { otp } = setup();
    const r = await issued(otp);
    expect(r).toEqual({ ok: true, code: '123456', codeId: 'code-1', expiresAt: T0 + 5 * MIN, resendAt: T0 + MIN });
    expect(await otp.verify(binding(), '123456')).toEqual({ ok: true, codeId: 'code-1' });
    expect(await otp.verify(binding(), '123456')).toEqual({ ok: false, reason: 'noCode' });
  });

  it('zero-pads the code (random 42 → 000042)', async () => {
    const { otp } = setup({ codes: [42, 0, 999_999] });
    expect((await issued(otp, binding({ conversationId: 'a', phone: '+8613800000001' }))).code).toBe('000042');
    expect((await issued(otp, binding({ conversationId: 'b', phone: '+8613800000002' }))).code).toBe('000000');
    expect((await issued(otp, binding({ conversationId: 'c', phone: '+8613800000003' }))).code).toBe('999999');
    expect(await otp.verify(binding({ conversationId: 'a', phone: '+8613800000001' }), '000042')).toMatchObject({ ok: true });
  });

  it('refuses a random source that goes out of range', async () => {
    const otp = store.make({ secret: Buffer.from('k'), random: () => 1_000_000 });
    await expect(otp.issue(binding())).rejects.toThrow(RangeError);
  });

  it('counts wrong codes down, then locks the card and voids the code', async () => {
    const { otp, now } = setup();
    const { code } = await issued(otp);
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await otp.verify(binding(), '000000'));
    expect(results).toEqual([
      { ok: false, reason: 'wrong', attemptsLeft: 4 },
      { ok: false, reason: 'wrong', attemptsLeft: 3 },
      { ok: false, reason: 'wrong', attemptsLeft: 2 },
      { ok: false, reason: 'wrong', attemptsLeft: 1 },
      { ok: false, reason: 'locked', until: now() + 30 * MIN },
    ]);
    // Even the right code does not help now.
    expect(await otp.verify(binding(), code)).toEqual({ ok: false, reason: 'locked', until: T0 + 30 * MIN });
    expect(await otp.lockedUntil(CARD)).toBe(T0 + 30 * MIN);
  });

  it('the lock is per card: another conversation with the same card is locked, another card is not', async () => {
    const { otp } = setup();
    await issued(otp);
    for (let i = 0; i < 5; i++) await otp.verify(binding(), '000000');
    const until = T0 + 30 * MIN;

    const sameCard = binding({ conversationId: 'conv-2', phone: NEW_PHONE });
    expect(await otp.issue(sameCard)).toEqual({ ok: false, reason: 'locked', until });
    expect(await otp.verify(sameCard, '123456')).toEqual({ ok: false, reason: 'locked', until });
    // The card number written with spaces is still the same card.
    expect(await otp.lockedUntil('6222 0202 0011 2233 445')).toBe(until);

    const otherCard = binding({ conversationId: 'conv-3', phone: '+8613700137000', card: OTHER_CARD });
    expect(await otp.lockedUntil(OTHER_CARD)).toBeUndefined();
    const { code } = await issued(otp, otherCard);
    expect(await otp.verify(otherCard, code)).toMatchObject({ ok: true });
  });

  it('the lock lifts after lockMinutes, with a fresh count of attempts', async () => {
    const { otp, advance } = setup();
    await issued(otp);
    for (let i = 0; i < 5; i++) await otp.verify(binding(), '000000');
    advance(30 * MIN - 1);
    expect(await otp.lockedUntil(CARD)).toBe(T0 + 30 * MIN);
    advance(1);
    expect(await otp.lockedUntil(CARD)).toBeUndefined();
    // The code that was live at lock time was voided.
    expect(await otp.verify(binding(), '123456')).toEqual({ ok: false, reason: 'noCode' });
    const { code } = await issued(otp);
    expect(await otp.verify(binding(), '999999')).toEqual({ ok: false, reason: 'wrong', attemptsLeft: 4 });
    expect(await otp.verify(binding(), code)).toMatchObject({ ok: true });
  });

  it('a right code resets the card failures', async () => {
    const { otp } = setup();
    const first = await issued(otp);
    await otp.verify(binding(), '000000');
    await otp.verify(binding(), '000000');
    expect(await otp.verify(binding(), first.code)).toMatchObject({ ok: true });
    await issued(otp, binding({ purpose: 'new', phone: NEW_PHONE }));
    expect(await otp.verify(binding({ purpose: 'new', phone: NEW_PHONE }), '000000')).toEqual({
      ok: false,
      reason: 'wrong',
      attemptsLeft: 4,
    });
  });

  it('a code expires after the ttl, and expiry costs no attempt', async () => {
    const { otp, advance } = setup();
    const { code } = await issued(otp);
    advance(5 * MIN - 1);
    expect(await otp.verify(binding(), '000000')).toEqual({ ok: false, reason: 'wrong', attemptsLeft: 4 });
    advance(1);
    expect(await otp.verify(binding(), code)).toEqual({ ok: false, reason: 'expired' });
    expect(await otp.verify(binding(), '000000')).toEqual({ ok: false, reason: 'expired' });
    const next = await issued(otp);
    expect(await otp.verify(binding(), '000000')).toEqual({ ok: false, reason: 'wrong', attemptsLeft: 3 });
    expect(await otp.verify(binding(), next.code)).toMatchObject({ ok: true });
  });

  it('resend cooldown per number, with retryAt', async () => {
    const { otp, advance } = setup();
    await issued(otp);
    advance(59 * SEC);
    expect(await otp.issue(binding())).toEqual({ ok: false, reason: 'cooldown', retryAt: T0 + MIN });
    // Same number from another conversation: still cooling down.
    expect(await otp.issue(binding({ conversationId: 'conv-2' }))).toEqual({
      ok: false,
      reason: 'cooldown',
      retryAt: T0 + MIN,
    });
    // Another number is not affected.
    await issued(otp, binding({ purpose: 'new', phone: NEW_PHONE }));
    advance(1 * SEC);
    expect(await issued(otp)).toMatchObject({ ok: true, resendAt: T0 + 2 * MIN });
  });

  it('hourly cap per number', async () => {
    const { otp, advance } = setup();
    for (let i = 0; i < 5; i++) {
      await issued(otp);
      advance(MIN);
    }
    // 5 sends at T0 … T0+4min; now T0+5min.
    expect(await otp.issue(binding())).toEqual({ ok: false, reason: 'hourlyCap', retryAt: T0 + HOUR });
    expect(await otp.issue(binding({ conversationId: 'conv-2' }))).toMatchObject({ reason: 'hourlyCap' });
    expect(await otp.issue(binding({ purpose: 'new', phone: NEW_PHONE }))).toMatchObject({ ok: true });
    advance(HOUR - 5 * MIN - 1);
    expect(await otp.issue(binding())).toMatchObject({ reason: 'hourlyCap' });
    advance(1);
    expect(await otp.issue(binding())).toMatchObject({ ok: true });
  });

  it('daily cap per number', async () => {
    const { otp, advance } = setup();
    for (let i = 0; i < 10; i++) {
      await issued(otp);
      advance(HOUR);
    }
    // 10 sends at T0 … T0+9h; now T0+10h.
    expect(await otp.issue(binding())).toEqual({ ok: false, reason: 'dailyCap', retryAt: T0 + 24 * HOUR });
    expect(await otp.issue(binding({ purpose: 'new', phone: NEW_PHONE }))).toMatchObject({ ok: true });
    advance(14 * HOUR - 1);
    expect(await otp.issue(binding())).toMatchObject({ reason: 'dailyCap', retryAt: T0 + 24 * HOUR });
    advance(1);
    expect(await otp.issue(binding())).toMatchObject({ ok: true });
    advance(MIN);
    expect(await otp.issue(binding())).toMatchObject({ reason: 'dailyCap', retryAt: T0 + 25 * HOUR });
  });

  it('when several limits hold, the latest retryAt is given', async () => {
    const { otp, advance } = setup();
    for (let i = 0; i < 5; i++) {
      await issued(otp);
      advance(MIN);
    }
    advance(-MIN + SEC); // 1 s after the 5th send: cooldown and the hourly cap both hold
    expect(await otp.issue(binding())).toEqual({ ok: false, reason: 'hourlyCap', retryAt: T0 + HOUR });
  });

  it('revoke voids the code and frees the cooldown and the caps', async () => {
    const { otp, advance } = setup();
    const first = await issued(otp);
    await otp.revoke(first.codeId);
    expect(await otp.verify(binding(), first.code)).toEqual({ ok: false, reason: 'noCode' });
    // The failed SMS does not count: a new code can go at once.
    const second = await issued(otp);
    expect(second.codeId).toBe('code-2');
    for (let i = 0; i < 10; i++) {
      advance(MIN);
      const r = await issued(otp);
      await otp.revoke(r.codeId);
    }
    advance(MIN);
    // Only first-revoked… second counts, plus this one: well under every cap.
    expect(await otp.issue(binding())).toMatchObject({ ok: true });
    await otp.revoke('no-such-code'); // unknown ids are ignored
  });

  it('a changed generation, number or card voids the code without counting an attempt', async () => {
    const { otp } = setup();
    const { code } = await issued(otp);
    const changed: Array<[string, OtpBinding]> = [
      ['generation', binding({ generation: 2 })],
      ['phone', binding({ phone: NEW_PHONE })],
      ['card', binding({ card: OTHER_CARD })],
      ['purpose', binding({ purpose: 'new' })],
      ['conversation', binding({ conversationId: 'conv-2' })],
    ];
    for (const [, b] of changed) {
      expect(await otp.verify(b, code)).toEqual({ ok: false, reason: 'noCode' });
      expect(await otp.verify(b, '000000')).toEqual({ ok: false, reason: 'noCode' });
    }
    // No attempt was counted anywhere.
    expect(await otp.verify(binding(), '000000')).toEqual({ ok: false, reason: 'wrong', attemptsLeft: 4 });
    expect(await otp.verify(binding(), code)).toMatchObject({ ok: true });
  });

  it('after the details change, a code for the new generation works and the old one does not', async () => {
    const { otp, advance } = setup();
    const old = await issued(otp);
    advance(MIN);
    const fresh = await issued(otp, binding({ generation: 2 }));
    expect(await otp.verify(binding({ generation: 2 }), old.code)).toEqual({
      ok: false,
      reason: 'wrong',
      attemptsLeft: 4,
    });
    expect(await otp.verify(binding({ generation: 1 }), old.code)).toEqual({ ok: false, reason: 'noCode' });
    expect(await otp.verify(binding({ generation: 2 }), fresh.code)).toMatchObject({ ok: true });
  });

  it('issuing a new code voids the previous one', async () => {
    const { otp, advance } = setup();
    const first = await issued(otp);
    advance(MIN);
    const second = await issued(otp);
    expect(second.code).not.toBe(first.code);
    expect(await otp.verify(binding(), first.code)).toEqual({ ok: false, reason: 'wrong', attemptsLeft: 4 });
    expect(await otp.verify(binding(), second.code)).toEqual({ ok: true, codeId: second.codeId });
  });

  it('codes of the other purpose in the same conversation stay live', async () => {
    const { otp } = setup();
    const old = await issued(otp);
    const nu = await issued(otp, binding({ purpose: 'new', phone: NEW_PHONE }));
    expect(await otp.verify(binding(), old.code)).toMatchObject({ ok: true });
    expect(await otp.verify(binding({ purpose: 'new', phone: NEW_PHONE }), nu.code)).toMatchObject({ ok: true });
  });

  it('the database never holds the code, the number or the card in clear', async () => {
    const { dump: dumpAll, otp, advance } = setup({ codes: [987654, 555123] });
    const results: IssueResult[] = [];
    results.push(await otp.issue(binding()));
    results.push(await otp.issue(binding({ purpose: 'new', phone: NEW_PHONE })));
    // Looked at while the codes are live, too: Redis drops a code once it is used or voided.
    const whileLive = await dumpAll();
    await otp.verify(binding(), '000000');
    await otp.verify(binding({ purpose: 'new', phone: NEW_PHONE }), '555123');
    advance(MIN);
    for (let i = 0; i < 5; i++) await otp.verify(binding(), '111111');
    const all = whileLive + (await dumpAll());
    expect(all).toContain(store.names.codes);
    expect(all).toContain(store.names.limits);
    for (const secret of ['987654', '555123', '111111', PHONE, NEW_PHONE, '13800138000', '13900139000', CARD, '0112233445']) {
      expect(all).not.toContain(secret);
    }
    expect(results.map((r) => r.ok)).toEqual([true, true]);
  });

  it('of two verifies of the same right code at once, exactly one succeeds', async () => {
    const { otp } = setup();
    const { code, codeId } = await issued(otp);
    const results = await Promise.all([otp.verify(binding(), code), otp.verify(binding(), code)]);
    expect(results).toContainEqual({ ok: true, codeId });
    expect(results).toContainEqual({ ok: false, reason: 'noCode' });
  });

  it('of two issues to one number at once, exactly one sends', async () => {
    const { otp } = setup();
    const results = await Promise.all([otp.issue(binding()), otp.issue(binding({ conversationId: 'conv-2' }))]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results).toContainEqual({ ok: false, reason: 'cooldown', retryAt: T0 + MIN });
  });
});
