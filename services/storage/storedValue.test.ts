import { randomBytes } from 'node:crypto';
import { decodeStoredValue, encodeStoredValue } from './storedValue';

test('every encrypted write has its own IV, across refills of the IV pool, and reads back', () => {
  const key = randomBytes(32);
  const value = { version: 2, text: '请输入您的银行卡号' };
  const ivs = new Set<string>();
  for (let i = 0; i < 2500; i += 1) {
    const stored = encodeStoredValue(key, 'rebind/test/c1', value);
    ivs.add(Buffer.from(stored.slice('enc1:'.length), 'base64').subarray(0, 12).toString('hex'));
    if (i % 500 === 0) expect(decodeStoredValue(key, 'rebind/test/c1', stored)).toEqual(value);
  }
  expect(ivs.size).toBe(2500);
});

test('a value does not decrypt under another key, another row key, or tampered', () => {
  const key = randomBytes(32);
  const stored = encodeStoredValue(key, 'rebind/test/c1', { n: 1 });
  expect(() => decodeStoredValue(randomBytes(32), 'rebind/test/c1', stored)).toThrow('cannot decrypt');
  expect(() => decodeStoredValue(key, 'rebind/test/c2', stored)).toThrow('cannot decrypt');
  const raw = Buffer.from(stored.slice(5), 'base64');
  raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;
  expect(() => decodeStoredValue(key, 'rebind/test/c1', `enc1:${raw.toString('base64')}`)).toThrow('cannot decrypt');
});
