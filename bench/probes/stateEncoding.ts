/**
 * What storing a conversation's state costs, apart from SQLite: `JSON.stringify` of a document the
 * size and shape of the bench's (2.4 KB: the chart's snapshot, the five recent turns' replies, the
 * channel's reference), then AES-256-GCM (`encodeStoredValue`), and reading it back.
 *
 *   npx tsx bench/probes/stateEncoding.ts
 */
import { randomBytes } from 'node:crypto';
import { decodeStoredValue, encodeStoredValue } from '../../services/storage/storedValue';

const key = randomBytes(32);
const reply = (k: string) => ({ key: k, params: { phone: '138****8000', seconds: 60 }, buttons: ['resend', 'agent'], expecting: 'otp' });
const doc = {
  version: 3,
  snapshot: {
    status: 'active',
    value: { changing: 'awaitingCode' },
    historyValue: {},
    children: {},
    context: {
      conversationId: 'directline/8d7f6a5e-1b2c-4d3e-9f8a-7b6c5d4e3f2a',
      locale: 'zh-CN',
      misses: 0,
      fallbacks: 0,
      expecting: 'otp',
      codes: { old: 1, new: 0, sentOld: 1 },
      passed: { identity: true, oldCode: false, newCode: false },
      details: { card: '6222 **** **** 0123', idType: 'CN_RESIDENT', oldPhone: '138****8000', newPhone: '186****5678', customerId: 'cust-8d7f6a5e' },
    },
  },
  updatedAt: Date.now(),
  recent: Array.from({ length: 5 }, (_, i) => ({ activityId: `activity-${i}-8d7f6a5e1b2c`, said: [reply('otp.sent'), reply('details.noted')], locale: 'zh-CN', intent: 'changePhone' })),
  reference: {
    activityId: 'activity-1',
    user: { id: 'user-8d7f6a5e-1b2c-4d3e-9f8a', name: 'customer' },
    bot: { id: 'rebind', name: 'Rebind' },
    conversation: { id: '8d7f6a5e-1b2c-4d3e-9f8a-7b6c5d4e3f2a' },
    channelId: 'directline',
    locale: 'zh-CN',
    serviceUrl: 'http://127.0.0.1:3978/connector',
  },
};

const time = (n: number, f: () => unknown): number => {
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f();
  return Number(process.hrtime.bigint() - started) / n / 1000;
};

const stored = encodeStoredValue(key, 'k', doc);
console.log(`JSON ${JSON.stringify(doc).length} bytes, stored ${stored.length} bytes`);
time(20_000, () => encodeStoredValue(key, 'k', doc)); // warm-up
for (let round = 1; round <= 3; round++) {
  const n = 50_000;
  console.log(
    `round ${round}: JSON.stringify ${time(n, () => JSON.stringify(doc)).toFixed(1)} µs, ` +
      `encode (JSON + AES-GCM + base64) ${time(n, () => encodeStoredValue(key, 'k', doc)).toFixed(1)} µs, ` +
      `decode ${time(n, () => decodeStoredValue(key, 'k', stored)).toFixed(1)} µs`,
  );
}
