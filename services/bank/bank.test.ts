import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../platform/openDatabase';
import type { Db } from '../platform/openDatabase';
import { loadSeed, SeedError } from './loadSeed';
import { createSqliteBankCore } from './sqlite';
import type { BankSeed, ChangeRequest } from './index';
import type { SqliteBankCore } from './sqlite';

const DEMO = join(__dirname, '../../data/demo-bank.json');

const ZHANG = { cardNumber: '6222021234567890128', idType: 'CN_RESIDENT', idNumber: '11010519491231002X', phone: '+8613800138000' } as const;
const LI_PHONE = '+8613900139000';
const WANG = { cardNumber: '6228480012345671', idType: 'CN_RESIDENT', idNumber: '440305198506150118', phone: '+8613600136000' } as const;
const ZHAO = { cardNumber: '6230580000123455', idType: 'CN_RESIDENT', idNumber: '510107197811220333', phone: '+8613500135000' } as const;

/** Independent checks of the demo data (not the production validators). */
function luhnValid(n: string): boolean {
  let sum = 0;
  [...n].reverse().forEach((c, i) => {
    let d = Number(c);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  });
  return sum % 10 === 0;
}
function residentIdValid(id: string): boolean {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...id.slice(0, 17)].reduce((acc, c, i) => acc + Number(c) * (w[i] ?? 0), 0);
  return '10X98765432'[sum % 11] === id[17]?.toUpperCase();
}

function newCore(): { core: SqliteBankCore; db: Db; now: { t: number } } {
  const now = { t: 1_700_000_000_000 };
  let n = 0;
  const db = openDatabase(':memory:');
  const core = createSqliteBankCore({ db, clock: () => now.t, newId: () => `id-${++n}` });
  core.seed(loadSeed(DEMO));
  return { core, db, now };
}

async function zhangCardId(core: SqliteBankCore): Promise<{ cardId: string; customerId: string }> {
  const r = await core.verifyIdentity(ZHANG);
  if (!r.match) throw new Error('demo customer 张三 should verify');
  return r;
}

describe('demo seed file', () => {
  it('loads, validates, and holds valid check digits', () => {
    const seed = loadSeed(DEMO);
    expect(seed.customers.map((c) => c.name)).toEqual(['张三', '李娜', 'Alice Smith', '王五', '赵六']);
    for (const c of seed.customers) {
      if (c.idType === 'CN_RESIDENT') expect(residentIdValid(c.idNumber)).toBe(true);
      for (const card of c.cards) expect(luhnValid(card.number)).toBe(true);
    }
  });
});

describe('loadSeed errors', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'rebind-seed-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, body: unknown): string => {
    const file = join(dir, name);
    writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
    return file;
  };
  const good = (): BankSeed => loadSeed(DEMO);
  const caught = (fn: () => unknown): SeedError => {
    try {
      fn();
    } catch (e) {
      if (e instanceof SeedError) return e;
      throw e;
    }
    throw new Error('expected a SeedError');
  };

  it('names a missing field', () => {
    const seed = good() as unknown as { customers: Array<Record<string, unknown>> };
    delete seed.customers[1]!['status'];
    const file = write('missing.json', seed);
    const e = caught(() => loadSeed(file));
    expect(e.field).toBe('customers[1].status');
    expect(e.file).toBe(file);
    expect(e.message).toContain(file);
    expect(e.message).toContain('customers[1].status');
    expect(e.cause).toBeDefined();
  });

  it('names a wrong idType', () => {
    const seed = good() as unknown as { customers: Array<Record<string, unknown>> };
    seed.customers[2]!['idType'] = 'DRIVING_LICENCE';
    const e = caught(() => loadSeed(write('idtype.json', seed)));
    expect(e.field).toBe('customers[2].idType');
    expect(e.message).toContain('customers[2].idType');
  });

  it('names a phone that is not E.164', () => {
    const seed = good();
    seed.customers[0]!.cards[0]!.phone = '13800138000';
    const e = caught(() => loadSeed(write('phone.json', seed)));
    expect(e.field).toBe('customers[0].cards[0].phone');
  });

  it('reports unreadable and non-JSON files with their cause', () => {
    const missing = caught(() => loadSeed(join(dir, 'nope.json')));
    expect(missing.field).toBeUndefined();
    expect((missing.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    const broken = caught(() => loadSeed(write('broken.json', '{ "customers": [')));
    expect(broken.cause).toBeInstanceOf(SyntaxError);
  });
});

describe('seeding', () => {
  it('seeds only when the store is empty', () => {
    const core = createSqliteBankCore({ db: openDatabase(':memory:') });
    expect(core.isEmpty()).toBe(true);
    core.seed(loadSeed(DEMO));
    expect(core.isEmpty()).toBe(false);
    core.seed(loadSeed(DEMO)); // would violate UNIQUE(number) if it inserted again
    expect(core.auditTrail().filter((a) => a.type === 'bank.seeded')).toHaveLength(1);
    core.close();
  });

  it('keeps data when a file database is reopened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rebind-bank-'));
    const file = join(dir, 'bank.sqlite');
    try {
      const first = createSqliteBankCore({ db: openDatabase(file) });
      first.seed(loadSeed(DEMO));
      const { cardId } = await zhangCardId(first);
      await first.changeBoundPhone({ cardId, oldPhone: ZHANG.phone, newPhone: '+8613811112222', idempotencyKey: 'k1', conversationId: 'c1' });
      first.close();

      const again = createSqliteBankCore({ db: openDatabase(file) });
      expect(again.isEmpty()).toBe(false);
      expect(await again.boundPhone(ZHANG.cardNumber)).toBe('+8613811112222');
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('verifyIdentity', () => {
  let core: SqliteBankCore;
  beforeEach(() => ({ core } = newCore()));
  afterEach(() => core.close());

  it('matches card + ID + phone of one customer', async () => {
    const r = await core.verifyIdentity(ZHANG);
    expect(r).toEqual({ match: true, customerId: expect.any(String), cardId: expect.any(String), standing: 'ok' });
  });

  it('compares the trailing X case-insensitively', async () => {
    expect((await core.verifyIdentity({ ...ZHANG, idNumber: '11010519491231002x' })).match).toBe(true);
  });

  it.each([
    ['wrong ID', { ...ZHANG, idNumber: '310104199003070026' }],
    ['wrong ID type', { ...ZHANG, idType: 'PASSPORT' as const }],
    ['wrong phone', { ...ZHANG, phone: LI_PHONE }],
    ['unknown card', { ...ZHANG, cardNumber: '6222021234567890011' }],
  ])('gives a bare {match:false} for %s', async (_label, claim) => {
    expect(await core.verifyIdentity(claim)).toStrictEqual({ match: false });
  });

  it('reports a frozen customer and a frozen card', async () => {
    expect(await core.verifyIdentity(WANG)).toMatchObject({ match: true, standing: 'customerFrozen' });
    expect(await core.verifyIdentity(ZHAO)).toMatchObject({ match: true, standing: 'cardFrozen' });
  });

  it('reports a lost card', async () => {
    const c = createSqliteBankCore({ db: openDatabase(':memory:') });
    c.seed({ customers: [{ name: 'L', idType: 'PASSPORT', idNumber: 'G1234567', status: 'active', cards: [{ number: '6222021234567890128', phone: '+8613000000000', status: 'lost' }] }] });
    expect(await c.verifyIdentity({ cardNumber: '6222021234567890128', idType: 'PASSPORT', idNumber: 'g1234567', phone: '+8613000000000' }))
      .toMatchObject({ match: true, standing: 'cardLost' });
    c.close();
  });
});

describe('phoneOwner', () => {
  it('says none / self / other', async () => {
    const { core } = newCore();
    const { customerId } = await zhangCardId(core);
    expect(await core.phoneOwner(customerId, '+8613811112222')).toBe('none');
    expect(await core.phoneOwner(customerId, ZHANG.phone)).toBe('self');
    expect(await core.phoneOwner(customerId, LI_PHONE)).toBe('other');
    core.close();
  });
});

describe('changeBoundPhone', () => {
  const NEW = '+8613811112222';
  let core: SqliteBankCore;
  let db: Db;
  let now: { t: number };
  let req: ChangeRequest;
  beforeEach(async () => {
    ({ core, db, now } = newCore());
    const { cardId } = await zhangCardId(core);
    req = { cardId, oldPhone: ZHANG.phone, newPhone: NEW, idempotencyKey: 'conv-1:change-1', conversationId: 'conv-1' };
  });
  afterEach(() => core.close());

  it('changes the number and audits it', async () => {
    const r = await core.changeBoundPhone(req);
    expect(r).toEqual({ status: 'changed', changeId: expect.any(String), at: now.t, firstTime: true });
    expect(await core.boundPhone(ZHANG.cardNumber)).toBe(NEW);
    expect((await core.verifyIdentity({ ...ZHANG, phone: NEW })).match).toBe(true);
    expect(await core.verifyIdentity(ZHANG)).toStrictEqual({ match: false });
  });

  it('happens once for the same idempotency key', async () => {
    const first = await core.changeBoundPhone(req);
    now.t += 5_000;
    const second = await core.changeBoundPhone(req);
    expect(second).toEqual({ ...first, firstTime: false });
    expect(db.prepare('SELECT count(*) AS n FROM phone_changes').get()).toEqual({ n: 1 });
    expect(await core.boundPhone(ZHANG.cardNumber)).toBe(NEW);
    expect(core.auditTrail().filter((a) => a.type === 'phone.changed')).toHaveLength(1);
  });

  it('is a conflict when the bound number is no longer the old one', async () => {
    expect(await core.changeBoundPhone({ ...req, oldPhone: LI_PHONE })).toEqual({ status: 'conflict' });
    expect(await core.boundPhone(ZHANG.cardNumber)).toBe(ZHANG.phone);
    expect(core.auditTrail().at(-1)).toMatchObject({ type: 'change.conflict', data: { reason: 'phoneChanged' } });
  });

  it('is a conflict for a frozen card or customer', async () => {
    const zhao = await core.verifyIdentity(ZHAO);
    const wang = await core.verifyIdentity(WANG);
    if (!zhao.match || !wang.match) throw new Error('demo customers should verify');
    expect(await core.changeBoundPhone({ ...req, cardId: zhao.cardId, oldPhone: ZHAO.phone, idempotencyKey: 'z' })).toEqual({ status: 'conflict' });
    expect(await core.changeBoundPhone({ ...req, cardId: wang.cardId, oldPhone: WANG.phone, idempotencyKey: 'w' })).toEqual({ status: 'conflict' });
    expect(await core.changeBoundPhone({ ...req, cardId: 'no-such-card', idempotencyKey: 'u' })).toEqual({ status: 'conflict' });
  });

  it('never writes a full card or phone number to the audit trail', async () => {
    await core.changeBoundPhone(req);
    await core.changeBoundPhone({ ...req, oldPhone: LI_PHONE, idempotencyKey: 'other' });
    const trail = core.auditTrail();
    const changed = trail.find((a) => a.type === 'phone.changed');
    expect(changed?.data).toEqual({
      changeId: expect.any(String),
      card: '6222 **** **** 0128',
      oldPhone: '138****8000',
      newPhone: '138****2222',
      conversationId: 'conv-1',
    });
    // `at` is a 13-digit timestamp; everything else must hold no run of 11+ digits (phone or card).
    const json = JSON.stringify(trail.map(({ type, data }) => ({ type, data })));
    expect(json).not.toMatch(/\d{11}/);
    for (const full of [ZHANG.cardNumber, ZHANG.phone, LI_PHONE, NEW, '13800138000', '13811112222']) {
      expect(JSON.stringify(trail)).not.toContain(full);
    }
  });
});

describe('changeBoundPhone with a commit barrier', () => {
  it('answers only once durable() says the change is on disk, and fails when it fails', async () => {
    const db = openDatabase(':memory:');
    let release!: (error?: Error) => void;
    const durable = jest.fn(
      () =>
        new Promise<void>((resolve, reject) => {
          release = (error) => (error ? reject(error) : resolve());
        }),
    );
    const core = createSqliteBankCore({ db, durable });
    core.seed(loadSeed(DEMO));
    const { cardId } = await zhangCardId(core);
    let answered = false;
    const change = core
      .changeBoundPhone({ cardId, oldPhone: ZHANG.phone, newPhone: '+8613811112222', idempotencyKey: 'k1', conversationId: 'c1' })
      .then((r) => {
        answered = true;
        return r;
      });
    await new Promise((resolve) => setImmediate(resolve));
    // Committed (another read sees it), not yet answered: the sync is still under way.
    expect(await core.boundPhone(ZHANG.cardNumber)).toBe('+8613811112222');
    expect(durable).toHaveBeenCalledTimes(1);
    expect(answered).toBe(false);
    release();
    await expect(change).resolves.toMatchObject({ status: 'changed', firstTime: true });

    // A sync that fails: the caller is not told the change was made (it retries with the same key).
    const retry = core.changeBoundPhone({ cardId, oldPhone: ZHANG.phone, newPhone: '+8613811112222', idempotencyKey: 'k1', conversationId: 'c1' });
    await new Promise((resolve) => setImmediate(resolve));
    release(new Error('EIO'));
    await expect(retry).rejects.toThrow('EIO');
    core.close();
  });
});
