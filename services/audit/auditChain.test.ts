import { canonicalJson, GENESIS_MAC, makeHead, recordMac, verifyChain, type ChainedRecord } from './auditChain';

const key = Buffer.alloc(32, 1);

describe('verifyChain', () => {
  const chain = (n: number): { records: ChainedRecord[]; lastMac: string } => {
    let prev = GENESIS_MAC;
    const records = Array.from({ length: n }, (_, i) => {
      const record = { id: i + 1, at: i, type: 'code.sent' as const, conversationId: 'c', data: { i } };
      prev = recordMac(key, prev, record);
      return { ...record, mac: prev };
    });
    return { records, lastMac: prev };
  };

  it('accepts a chain and its head, and nothing without a head', () => {
    const { records, lastMac } = chain(3);
    expect(verifyChain(key, records, makeHead(key, 3, lastMac))).toEqual({ ok: true, records: 3 });
    expect(verifyChain(key, [], undefined)).toEqual({ ok: true, records: 0 });
    expect(verifyChain(key, records, undefined)).toEqual({ ok: false, records: 3, problem: 'head' });
  });

  it('spots a record with no MAC, and a data value whose type changed', () => {
    const { records, lastMac } = chain(3);
    const head = makeHead(key, 3, lastMac);
    expect(verifyChain(key, records.map((r, i) => (i === 1 ? { ...r, mac: null } : r)), head)).toMatchObject({
      ok: false,
      at: 2,
    });
    expect(verifyChain(key, records.map((r, i) => (i === 1 ? { ...r, data: { i: '1' } } : r)), head)).toEqual({
      ok: false,
      records: 3,
      problem: 'edited',
      at: 2,
    });
  });

  it('canonical JSON does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: true } })).toBe('{"a":{"c":true,"d":[1,"x"]},"b":1}');
    expect(canonicalJson({ b: 1, a: 2 })).toBe(canonicalJson({ a: 2, b: 1 }));
  });
});
