import { createCipheriv, createSecretKey, randomBytes, randomFillSync } from 'node:crypto';
import { encodeStoredValue } from '../services/storage/storedValue';
const key = randomBytes(32);
const ko = createSecretKey(key);
const doc = { version: 2, snapshot: { value: { changing: 'confirm' }, context: { a: '请核对更换信息：\n银行卡：6222 **** **** 0128\n原手机号：138****8000'.repeat(8) } }, recent: Array.from({ length: 5 }, (_, i) => ({ activityId: 'a' + i, replies: [{ type: 'message', text: '请核对更换信息：\n银行卡：6222 **** **** 0128\n原手机号：138****8000\n新手机号：186****5678\n确认无误请点击', channelData: { key: 'ask.confirm' } }] })) };
console.log('json', JSON.stringify(doc).length, Buffer.byteLength(JSON.stringify(doc)));
const N = 20000;
function time(name: string, f: () => unknown) { for (let i = 0; i < 2000; i++) f(); const t = performance.now(); for (let i = 0; i < N; i++) f(); console.log(name, ((performance.now() - t) / N * 1000).toFixed(1), 'µs'); }
time('current', () => encodeStoredValue(key, 'rebind/test/x', doc));
time('stringify', () => JSON.stringify(doc));
time('randomBytes12', () => randomBytes(12));
const pool = Buffer.alloc(12 * 1024); let off = pool.length;
const iv = () => { if (off + 12 > pool.length) { randomFillSync(pool); off = 0; } const b = pool.subarray(off, off + 12); off += 12; return b; };
const aad = Buffer.from('rebind/test/x');
time('keyobject+pool', () => { const json = JSON.stringify(doc); const v = iv(); const c = createCipheriv('aes-256-gcm', ko, v); c.setAAD(aad); const body = Buffer.concat([c.update(json, 'utf8'), c.final()]); return 'enc1:' + Buffer.concat([v, c.getAuthTag(), body]).toString('base64'); });
time('cipher only', () => { const c = createCipheriv('aes-256-gcm', ko, iv()); c.setAAD(aad); c.update('x'); c.final(); });
