/**
 * Bench customers: every conversation of a bench run is a distinct customer of the bank, with a
 * card, an ID and two mobile numbers nobody else has. All of them pass the bot's own validators
 * (Luhn card numbers, GB 11643 resident IDs with a real birth date, CN mobile numbers).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSeed } from '../services/bank/loadSeed';
import { createSqliteBankCore } from '../services/bank/sqlite';
import type { BankSeed } from '../services/bank';
import { openDatabase } from '../services/platform/openDatabase';
import { luhnValid } from '../domain/validation/cardNumber';
import { residentIdCheckChar } from '../domain/validation/idNumber';

export interface BenchCustomer {
  card: string;
  id: string;
  /** The number bound now: national form (what the customer types) and E.164 (the outbox's `to`). */
  oldNational: string;
  oldE164: string;
  /** The number they move to: bound to nobody. */
  newNational: string;
  newE164: string;
}

/** The Luhn check digit that makes `body` + digit valid. */
function luhnDigit(body: string): string {
  for (let d = 0; d <= 9; d += 1) if (luhnValid(body + d)) return String(d);
  throw new Error('unreachable: one of ten digits always completes a Luhn number');
}

/** Birth dates from 1960-01-01 on, one per thousand customers: always real, always in the past. */
function birthDate(day: number): string {
  const d = new Date(Date.UTC(1960, 0, 1) + day * 86_400_000);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** The k-th bench customer (k < 10⁸): 19-digit UnionPay card, Beijing resident ID, 139… now, 186… next. */
export function benchCustomer(k: number): BenchCustomer {
  // k ↦ (k·7919 + c) mod 10ⁿ is one-to-one (7919 is prime to 10), and the digits look less made up.
  const spread = (digits: number, c: number) => String((k * 7919 + c) % 10 ** digits).padStart(digits, '0');
  const cardBody = `622202${spread(12, 314_159_265_358)}`;
  const first17 = `110105${birthDate(Math.floor(k / 1000))}${String(k % 1000).padStart(3, '0')}`;
  const oldNational = `139${spread(8, 27_182_818)}`;
  const newNational = `186${spread(8, 16_180_339)}`;
  return {
    card: cardBody + luhnDigit(cardBody),
    id: first17 + residentIdCheckChar(first17),
    oldNational,
    oldE164: `+86${oldNational}`,
    newNational,
    newE164: `+86${newNational}`,
  };
}

export function benchSeed(customers: readonly BenchCustomer[]): BankSeed {
  return {
    customers: customers.map((c, i) => ({
      name: `Bench ${i}`,
      idType: 'CN_RESIDENT',
      idNumber: c.id,
      status: 'active',
      cards: [{ number: c.card, phone: c.oldE164, status: 'active' }],
    })),
  };
}

/** Writes the seed file (the README's *Bank seed* format) and returns its path. */
export function writeSeedFile(dir: string, customers: readonly BenchCustomer[]): string {
  const path = join(dir, 'bench-bank.json');
  writeFileSync(path, JSON.stringify(benchSeed(customers)));
  return path;
}

/**
 * Seeds `dataDir/bank.sqlite` from the seed file before the bot starts, through the same loader and
 * bank core the bot uses, so that the bot's start-up (the cold start measured) finds the bank ready
 * instead of inserting thousands of bench customers first.
 */
export function preseedBank(dataDir: string, seedPath: string): void {
  const db = openDatabase(join(dataDir, 'bank.sqlite'));
  try {
    const bank = createSqliteBankCore({ db });
    if (bank.isEmpty()) bank.seed(loadSeed(seedPath));
  } finally {
    db.close();
  }
}
