import { recordMac } from '../../services/audit/auditChain';
import type { AuditLog, AuditRecord } from '../../services/audit';
import type { AuditVerification } from '../../services/audit/auditChain';

// Test support for the audit tests (SQLite and Redis): a log to start from, what someone with write
// access to the store, but not the audit key, can do to it, and what `verify()` must say about it.

/** Five records, ids 1–5 (at 100–104 with the tests' clock). */
export async function fiveRecords(audit: AuditLog): Promise<void> {
  await audit.record('identity.passed', 'conv-a', { card: '6222****0001' });
  await audit.record('code.sent', 'conv-a', { phone: '138****8000', purpose: 'old' });
  await audit.record('code.verified', 'conv-a', { attempts: 1 });
  await audit.record('code.sent', 'conv-b', { phone: '139****9000', purpose: 'new' });
  await audit.record('change.committed', 'conv-a', { changeId: 'c1', phone: '139****9000' });
}

/** Rewrites a store behind the log's back (each adapter's test brings one). */
export interface Tamperer {
  /** Changes record `id`'s data in place, leaving its MAC. */
  edit(id: number, data: AuditRecord['data']): Promise<void>;
  /** Adds a made-up record (MACed with another key): at the end, or before record `beforeId`. */
  forge(record: AuditRecord & { mac: string }, beforeId?: number): Promise<void>;
  remove(id: number): Promise<void>;
  /** Swaps where two records stand. */
  swap(a: number, b: number): Promise<void>;
  setHeadCount(count: number): Promise<void>;
  removeHead(): Promise<void>;
}

const forged = (id: number): AuditRecord & { mac: string } => {
  const record: AuditRecord = { id, at: 105, type: 'change.committed', conversationId: 'conv-x', data: { changeId: 'x' } };
  return { ...record, mac: recordMac(Buffer.alloc(32, 7), '0'.repeat(64), record) };
};

/** Five records (ids 1–5) are in the log before each case. */
export const tamperCases: Array<[string, (t: Tamperer) => Promise<void>, AuditVerification]> = [
  ['a record edited', (t) => t.edit(3, { phone: '139****0000' }), { ok: false, records: 5, problem: 'edited', at: 3 }],
  ['a forged record appended', (t) => t.forge(forged(6)), { ok: false, records: 6, problem: 'inserted', at: 6 }],
  ['a forged record slipped in', (t) => t.forge(forged(4), 4), { ok: false, records: 6, problem: 'inserted', at: 4 }],
  ['a middle record removed', (t) => t.remove(3), { ok: false, records: 4, problem: 'removed', at: 3 }],
  ['the first record removed', (t) => t.remove(1), { ok: false, records: 4, problem: 'removed', at: 1 }],
  ['the last record removed', (t) => t.remove(5), { ok: false, records: 4, problem: 'truncated', at: 5 }],
  [
    'the last two records removed',
    async (t) => {
      await t.remove(5);
      await t.remove(4);
    },
    { ok: false, records: 3, problem: 'truncated', at: 4 },
  ],
  ['two records swapped', (t) => t.swap(2, 3), { ok: false, records: 5, problem: 'reordered', at: 2 }],
  ['the head changed', (t) => t.setHeadCount(4), { ok: false, records: 5, problem: 'head' }],
  [
    'the last record and the head removed',
    async (t) => {
      await t.remove(5);
      await t.removeHead();
    },
    { ok: false, records: 4, problem: 'head' },
  ],
];
