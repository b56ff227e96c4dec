import { createHmac, timingSafeEqual } from 'node:crypto';
import { secretKey } from '../platform/secretKey';
import type { AuditRecord } from './index';

/**
 * The hash chain that makes the audit log tamper-evident. Pure: the stores (SQLite, Redis) keep the
 * records and the head; this file computes and checks the MACs.
 *
 *   mac(record) = HMAC-SHA256(auditKey, prevMac || canonicalJson({ id, at, type, conversationId, data }))
 *   prevMac of the first record = 64 zeros (hex)
 *   head = { count, lastMac }, itself MACed, so removing the last records is detected too.
 */
export const GENESIS_MAC = '0'.repeat(64);

/** A record as stored, with its link in the chain (absent on a row that was never chained). */
export type ChainedRecord = AuditRecord & { mac: string | null };

export interface AuditHead {
  count: number;
  lastMac: string;
  mac: string;
}

export type AuditProblem = 'edited' | 'inserted' | 'removed' | 'reordered' | 'truncated' | 'head';

export type AuditVerification =
  | { ok: true; records: number }
  | { ok: false; records: number; problem: AuditProblem; /** The first bad record's id. */ at?: number };

/** JSON with object keys sorted at every level, so the same record always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function recordMac(key: Buffer, prevMac: string, record: AuditRecord): string {
  const { id, at, type, conversationId, data } = record;
  return createHmac('sha256', secretKey(key))
    .update(prevMac)
    .update(canonicalJson({ id, at, type, conversationId, data }))
    .digest('hex');
}

export function headMac(key: Buffer, count: number, lastMac: string): string {
  return createHmac('sha256', secretKey(key)).update(`audit-head|${count}|${lastMac}`).digest('hex');
}

export function makeHead(key: Buffer, count: number, lastMac: string): AuditHead {
  return { count, lastMac, mac: headMac(key, count, lastMac) };
}

const same = (a: string | null | undefined, b: string): boolean =>
  typeof a === 'string' && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** How far around a broken link the classification looks for where a record came from. */
const WINDOW = 64;

/**
 * Checks the records (in store order) against the head. Detection is exact: any edited, inserted,
 * removed or moved record, or a truncated tail, fails. Naming the problem is best-effort.
 */
export function verifyChain(key: Buffer, records: readonly ChainedRecord[], head: AuditHead | undefined): AuditVerification {
  const n = records.length;
  const fail = (problem: AuditProblem, at?: number): AuditVerification =>
    Number.isFinite(at) ? { ok: false, records: n, problem, at: at! } : { ok: false, records: n, problem };
  if (!head) return n === 0 ? { ok: true, records: 0 } : fail('head');
  if (!same(head.mac, headMac(key, head.count, head.lastMac))) return fail('head');

  let prevMac = GENESIS_MAC;
  let prevId = 0;
  for (let i = 0; i < n; i++) {
    const record = records[i]!;
    if (!same(record.mac, recordMac(key, prevMac, record))) {
      const problem = classify(key, records, i, prevMac, prevId, head);
      // Removed or moved: the first id missing from its place.
      return fail(problem, problem === 'removed' || problem === 'reordered' ? Math.min(record.id, prevId + 1) : record.id);
    }
    prevMac = record.mac!;
    prevId = record.id;
  }
  if (head.count > n) return fail('truncated', prevId + 1);
  if (head.count < n) return fail('inserted');
  if (!same(head.lastMac, prevMac)) return fail('head');
  return { ok: true, records: n };
}

/** Why record i does not follow the record before it (whose MAC is prevMac). */
function classify(
  key: Buffer,
  records: readonly ChainedRecord[],
  i: number,
  prevMac: string,
  prevId: number,
  head: AuditHead,
): AuditProblem {
  const record = records[i]!;
  // A genuine record from elsewhere in the chain: its MAC links it to a predecessor that is present.
  const from = Math.max(0, i - WINDOW);
  const to = Math.min(records.length, i + WINDOW);
  const predecessors = [GENESIS_MAC, ...records.slice(from, to).flatMap((r) => (r.mac ? [r.mac] : []))];
  const ids = new Set([record.id, ...records.slice(from, to).map((r) => r.id)]);
  for (const id of ids) {
    for (const p of predecessors) {
      if (p !== prevMac && same(record.mac, recordMac(key, p, { ...record, id }))) return 'reordered';
    }
  }
  // A record slipped in: the next one still follows the one before it, or it lies beyond the head.
  // (The next one may have been renumbered to make room: it may carry this one's id.)
  const next = records[i + 1];
  if (next && [next.id, record.id].some((id) => same(next.mac, recordMac(key, prevMac, { ...next, id })))) {
    return 'inserted';
  }
  if (!next && i >= head.count) return 'inserted';
  // A gap in the ids: records before this one are gone.
  if (record.id > prevId + 1) return 'removed';
  if (record.id <= prevId) return 'reordered';
  return 'edited';
}
