import type { AuditLog, AuditRecord } from '../audit';
import { createMetrics, statePath } from './metrics';

test.each([
  ['idle', 'idle'],
  [{ changing: 'awaitingCode' }, 'changing.awaitingCode'],
  [{ changing: { verifying: 'sending' } }, 'changing.verifying.sending'],
  [{ a: 'x', b: 'y' }, 'a.x+b.y'],
  [undefined, 'other'],
  [42, 'other'],
  ['13800138000', 'other'],
  [{ changing: 'card 6222021234567890128' }, 'other'],
  [{}, 'other'],
])('statePath(%j) is %s', (value, path) => {
  expect(statePath(value)).toBe(path);
});

function fakeAudit(): AuditLog & { records: Array<Pick<AuditRecord, 'type' | 'conversationId' | 'data'>> } {
  const records: Array<Pick<AuditRecord, 'type' | 'conversationId' | 'data'>> = [];
  return {
    records,
    async record(type, conversationId, data = {}) {
      records.push({ type, conversationId, data });
    },
    async list() {
      return records.map((r, i) => ({ id: i + 1, at: 0, ...r }));
    },
    // Whatever else the log offers (e.g. verify) must pass through the decorator.
    ...({ verify: async () => ({ ok: true }) } as object),
  } as AuditLog & { records: Array<Pick<AuditRecord, 'type' | 'conversationId' | 'data'>> };
}

test('the audit decorator passes records through and counts codes and handoffs by vocabulary only', async () => {
  const metrics = createMetrics({ defaults: false });
  const inner = fakeAudit();
  const audit = metrics.countAudit(inner);
  await audit.record('code.sent', 'test/c1', { purpose: 'old', phone: '138****8000' });
  await audit.record('code.sent', 'test/c1', { purpose: 'new', phone: '186****5678' });
  await audit.record('code.sent', 'test/c1', { purpose: '13800138000' });
  await audit.record('handoff.requested', 'test/c1', { reason: 'otpLocked', ticket: 'T-123456' });
  await audit.record('handoff.requested', 'test/c2', { reason: 'free text from somewhere' });
  await audit.record('identity.passed', 'test/c1', {});
  expect(inner.records).toHaveLength(6);
  expect(await audit.list()).toHaveLength(6);
  expect((audit as unknown as { verify?: unknown }).verify).toBeInstanceOf(Function);

  const { body } = await metrics.exposition();
  expect(body).toContain('rebind_codes_sent_total{purpose="old"} 1');
  expect(body).toContain('rebind_codes_sent_total{purpose="new"} 1');
  expect(body).toContain('rebind_codes_sent_total{purpose="other"} 1');
  expect(body).toContain('rebind_handoffs_total{reason="otpLocked"} 1');
  expect(body).toContain('rebind_handoffs_total{reason="other"} 1');
  expect(body).toContain('rebind_handoffs_total{reason="customerRequest"} 0');
  expect(body).not.toMatch(/13800138000|T-123456|free text|test\/c/);
});

test('a failed audit record is not counted', async () => {
  const metrics = createMetrics({ defaults: false });
  const failing: AuditLog = {
    ...fakeAudit(),
    record: async () => {
      throw new Error('disk full');
    },
  };
  await expect(metrics.countAudit(failing).record('code.sent', 'c', { purpose: 'old' })).rejects.toThrow('disk full');
  expect((await metrics.exposition()).body).toContain('rebind_codes_sent_total{purpose="old"} 0');
});

test('turns by kind; outcomes and states only from their vocabularies', async () => {
  const metrics = createMetrics({ defaults: false });
  metrics.turn({ state: { changing: 'collectingCard' }, replayed: false, ms: 3 });
  metrics.turn({ state: 'idle', outcome: 'phoneChanged', replayed: false, ms: 40 });
  metrics.turn({ state: 'waitingForAgent', outcome: 'somethingNew', replayed: false, proactive: true, ms: 2 });
  metrics.turn({ state: undefined, replayed: true, ms: 0 });
  const { body } = await metrics.exposition();
  expect(body).toContain('rebind_turns_total{kind="customer"} 2');
  expect(body).toContain('rebind_turns_total{kind="proactive"} 1');
  expect(body).toContain('rebind_turns_total{kind="replayed"} 1');
  expect(body).toContain('rebind_turn_duration_seconds_count 3');
  expect(body).toContain('rebind_state_entries_total{state="changing.collectingCard"} 1');
  expect(body).toContain('rebind_state_entries_total{state="waitingForAgent"} 1');
  expect(body).toContain('rebind_outcomes_total{outcome="phoneChanged"} 1');
  expect(body).not.toContain('somethingNew');
});
