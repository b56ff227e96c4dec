import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { BankSeed } from './index';

/** A seed file that cannot be read, is not JSON, or does not have the `BankSeed` shape. */
export class SeedError extends Error {
  override readonly name = 'SeedError';
  /** The seed file. */
  readonly file: string;
  /** The first bad field, as a path such as `customers[1].idType`; undefined when the file itself is the problem. */
  readonly field: string | undefined;

  constructor(message: string, options: { file: string; field?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.file = options.file;
    this.field = options.field;
  }
}

const E164 = /^\+[1-9]\d{6,14}$/;

const cardSchema = z.object({
  number: z.string().regex(/^\d{12,19}$/, 'expected 12 to 19 digits'),
  phone: z.string().regex(E164, 'expected an E.164 number such as +8613800138000'),
  status: z.enum(['active', 'frozen', 'lost']),
});

const customerSchema = z
  .object({
    name: z.string().trim().min(1, 'expected a non-empty name'),
    idType: z.enum(['CN_RESIDENT', 'PASSPORT']),
    idNumber: z.string().min(1, 'expected an ID number'),
    status: z.enum(['active', 'frozen']),
    cards: z.array(cardSchema),
  })
  .superRefine((c, ctx) => {
    const ok = c.idType === 'CN_RESIDENT' ? /^\d{17}[\dXx]$/.test(c.idNumber) : /^[A-Za-z0-9]{5,17}$/.test(c.idNumber);
    if (!ok) {
      ctx.addIssue({
        code: 'custom',
        path: ['idNumber'],
        message: c.idType === 'CN_RESIDENT' ? 'expected 17 digits and a digit or X' : 'expected 5 to 17 letters or digits',
      });
    }
  });

const seedSchema = z
  .object({ customers: z.array(customerSchema) })
  .superRefine((s, ctx) => {
    const cards = new Set<string>();
    const ids = new Set<string>();
    s.customers.forEach((c, i) => {
      const id = `${c.idType}:${c.idNumber.toUpperCase()}`;
      if (ids.has(id)) ctx.addIssue({ code: 'custom', path: ['customers', i, 'idNumber'], message: 'duplicate ID' });
      ids.add(id);
      c.cards.forEach((card, j) => {
        if (cards.has(card.number)) {
          ctx.addIssue({ code: 'custom', path: ['customers', i, 'cards', j, 'number'], message: 'duplicate card number' });
        }
        cards.add(card.number);
      });
    });
  });

/** `['customers', 1, 'idType']` → `customers[1].idType`. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

/** Reads and validates a bank seed file. Throws `SeedError` naming the file and the first bad field. */
export function loadSeed(path: string): BankSeed {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new SeedError(`Bank seed ${path}: cannot read the file`, { file: path, cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new SeedError(`Bank seed ${path}: not valid JSON (${(cause as Error).message})`, { file: path, cause });
  }
  const parsed = seedSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const field = fieldPath(issues[0]?.path ?? []) || undefined;
    const detail = issues.map((i) => `${fieldPath(i.path) || '(root)'}: ${i.message}`).join('; ');
    throw new SeedError(`Bank seed ${path}: ${detail}`, { file: path, field, cause: parsed.error });
  }
  return parsed.data;
}
