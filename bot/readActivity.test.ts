import { activityToEvents } from './activityToEvents';
import { readActivity } from './readActivity';
import type { Recognizer } from '../domain/recognizer';

const GOOD = { type: 'message', channelId: 'web', conversation: { id: 'c1' }, text: 'hi' };

describe('readActivity: refusals', () => {
  test.each<[string, unknown, string]>([
    ['null', null, 'notAnObject'],
    ['a list', [GOOD], 'notAnObject'],
    ['a string', 'message', 'notAnObject'],
    ['no type', { ...GOOD, type: undefined }, 'noType'],
    ['a numeric type', { ...GOOD, type: 1 }, 'noType'],
    ['a blank type', { ...GOOD, type: ' ' }, 'noType'],
    ['a 65-character type', { ...GOOD, type: 'm'.repeat(65) }, 'noType'],
    ['no channel', { ...GOOD, channelId: undefined }, 'noChannel'],
    ['an empty channel', { ...GOOD, channelId: '' }, 'noChannel'],
    ['no conversation', { ...GOOD, conversation: undefined }, 'noConversation'],
    ['a conversation without an id', { ...GOOD, conversation: {} }, 'noConversation'],
    ['an empty conversation id', { ...GOOD, conversation: { id: '' } }, 'noConversation'],
    ['a 513-character conversation id', { ...GOOD, conversation: { id: 'c'.repeat(513) } }, 'noConversation'],
  ])('%s → %s', (_what, raw, reason) => {
    const read = readActivity(raw);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.reason).toBe(reason);
  });

  test('channel and conversation are not required where the caller supplies them (Direct Line)', () => {
    expect(readActivity({ type: 'message' }, { conversation: false }).ok).toBe(true);
  });
});

describe('readActivity: a field of the wrong type is absent', () => {
  const read = (fields: Record<string, unknown>) => {
    const r = readActivity({ ...GOOD, ...fields });
    if (!r.ok) throw new Error(r.message);
    return r.activity;
  };

  test.each<[string, Record<string, unknown>, string]>([
    ['locale', { locale: 12345 }, 'locale'],
    ['locale', { locale: 'zh CN; drop' }, 'locale'],
    ['text', { text: 42 }, 'text'],
    ['from', { from: 'me' }, 'from'],
    ['from', { from: { id: 5 } }, 'from'],
    ['recipient', { recipient: [] }, 'recipient'],
    ['serviceUrl', { serviceUrl: 'ftp://x' }, 'serviceUrl'],
    ['serviceUrl', { serviceUrl: 'not a url' }, 'serviceUrl'],
    ['channelData', { channelData: [1] }, 'channelData'],
    ['attachments', { attachments: 'x' }, 'attachments'],
    ['suggestedActions', { suggestedActions: { actions: 5 } }, 'suggestedActions'],
    ['deliveryMode', { deliveryMode: 'everything' }, 'deliveryMode'],
    ['timestamp', { timestamp: 'yesterday-ish' }, 'timestamp'],
    ['id', { id: {} }, 'id'],
    ['value', { value: null }, 'value'],
  ])('%s: %j', (_field, fields, key) => {
    expect(read(fields)).not.toHaveProperty(key);
  });

  test('a service URL is judged the same every time, however many others came between', () => {
    const urlOf = (serviceUrl: string) => read({ serviceUrl }).serviceUrl;
    for (let round = 0; round < 2; round++) {
      expect(urlOf('https://smba.trafficmanager.net/apac/')).toBe('https://smba.trafficmanager.net/apac/');
      expect(urlOf('ftp://x')).toBeUndefined();
      expect(urlOf('javascript:alert(1)')).toBeUndefined();
      // More distinct URLs than are remembered, good and bad.
      for (let i = 0; i < 100; i++) {
        expect(urlOf(`http://127.0.0.1:${3000 + i}/`)).toBe(`http://127.0.0.1:${3000 + i}/`);
        expect(urlOf(`file:///etc/${i}`)).toBeUndefined();
      }
    }
  });

  test('what is right is kept, and lists keep only their good items', () => {
    const a = read({
      locale: ' en-US ',
      from: { id: 'u1', name: 7, role: 'user' },
      attachments: [1, { contentType: 'image/png' }, null],
      membersAdded: [{ id: 'u1' }, { id: 3 }, 'x'],
      suggestedActions: { to: ['u1', 2], actions: [{ type: 'imBack', title: 'Yes', value: 'yes' }, { type: 1 }] },
      deliveryMode: 'expectReplies',
      serviceUrl: 'https://smba.trafficmanager.net/apac/',
      timestamp: '2026-12-06T10:00:00Z',
      unknownField: 'dropped',
    });
    expect(a).toMatchObject({
      type: 'message',
      locale: 'en-US',
      from: { id: 'u1', name: '', role: 'user' },
      attachments: [{ contentType: 'image/png' }],
      membersAdded: [{ id: 'u1', name: '' }],
      suggestedActions: { to: ['u1'], actions: [{ type: 'imBack', title: 'Yes', value: 'yes' }] },
      deliveryMode: 'expectReplies',
      serviceUrl: 'https://smba.trafficmanager.net/apac/',
    });
    expect(a.timestamp?.toISOString()).toBe('2026-12-06T10:00:00.000Z');
    expect(a).not.toHaveProperty('unknownField');
  });

  test('a list of a million items is read no further than its first hundred', () => {
    const a = read({ entities: Array.from({ length: 1_000_000 }, () => ({ type: 'x' })) });
    expect(a.entities).toHaveLength(100);
  });
});

describe('activityToEvents reads what it uses defensively too (activities that did not come through the edge)', () => {
  const recognizer: Recognizer = { recognize: async () => ({ intent: 'none' }) };
  test.each<[string, Record<string, unknown>]>([
    ['members that are not a list', { type: 'conversationUpdate', membersAdded: 'everyone' }],
    ['members that are not accounts', { type: 'conversationUpdate', membersAdded: [null, 5] }],
    ['a handoff status whose value is a string', { type: 'event', name: 'handoff.status', value: 'accepted' }],
  ])('%s: no event, no crash', async (_what, activity) => {
    await expect(activityToEvents(activity, recognizer, { locale: 'zh-CN' })).resolves.toEqual([]);
  });
});
