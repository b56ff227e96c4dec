import { WarmConversations } from './warmConversations';

test('keeps what was set, with its eTag, and forgets on delete', () => {
  const warm = new WarmConversations<{ n: number }>({ max: 10, idleMs: 1000, now: () => 0 });
  warm.set('a', 'e1', { n: 1 });
  expect(warm.get('a')).toEqual({ eTag: 'e1', value: { n: 1 } });
  warm.set('a', 'e2', { n: 2 });
  expect(warm.get('a')).toEqual({ eTag: 'e2', value: { n: 2 } });
  warm.delete('a');
  expect(warm.get('a')).toBeUndefined();
});

test('holds at most max conversations: the least recently used go first', () => {
  const warm = new WarmConversations<number>({ max: 2, idleMs: 1000, now: () => 0 });
  warm.set('a', 'e', 1);
  warm.set('b', 'e', 2);
  warm.get('a'); // a is now the most recently used
  warm.set('c', 'e', 3);
  expect(warm.size).toBe(2);
  expect(warm.get('b')).toBeUndefined();
  expect(warm.get('a')?.value).toBe(1);
  expect(warm.get('c')?.value).toBe(3);
});

test('a conversation idle longer than idleMs is dropped, when looked at or when another is set', () => {
  let now = 0;
  const warm = new WarmConversations<number>({ max: 10, idleMs: 1000, now: () => now });
  warm.set('a', 'e', 1);
  warm.set('b', 'e', 2);
  now = 900;
  expect(warm.get('b')?.value).toBe(2); // used: its idle time starts again
  now = 1500;
  expect(warm.get('a')).toBeUndefined();
  warm.set('c', 'e', 3);
  expect(warm.size).toBe(2);
  now = 2000;
  warm.set('d', 'e', 4); // b idle 1100 ms: dropped to make the set tidy
  expect(warm.size).toBe(2);
  expect(warm.get('b')).toBeUndefined();
});
