import { openDatabase } from '../sqlite/openDatabase';
import { createTranscriptStore, MAX_LINE_CHARS } from './transcriptStore';

function store() {
  let now = 1000;
  const db = openDatabase(':memory:');
  return { db, s: createTranscriptStore({ db, clock: () => now++ }) };
}

test('keeps lines per conversation, oldest first, masked before they are written', async () => {
  const { db, s } = store();
  await s.append('test/a', [
    { from: 'customer', text: '卡号 6222021234567890128，手机 13800138000' },
    { from: 'bot', text: '请输入验证码' },
    { from: 'customer', text: '123456' },
  ]);
  await s.append('test/b', [{ from: 'customer', text: 'hello' }]);
  expect(await s.recent('test/a')).toEqual([
    { at: 1000, from: 'customer', text: '卡号 6222 **** **** 0128，手机 138****8000' },
    { at: 1001, from: 'bot', text: '请输入验证码' },
    { at: 1002, from: 'customer', text: '******' },
  ]);
  const raw = JSON.stringify(db.prepare('SELECT * FROM transcript_lines').all());
  expect(raw).not.toContain('6222021234567890128');
  expect(raw).not.toContain('123456');
  expect((await s.recent('test/a', 2)).map((l) => l.from)).toEqual(['bot', 'customer']);
});

test('cuts very long lines and forgets a conversation on request', async () => {
  const { s } = store();
  await s.append('c', [{ from: 'customer', text: 'x'.repeat(100_000) }]);
  expect((await s.recent('c'))[0]?.text.length).toBe(MAX_LINE_CHARS + 1);
  expect(await s.forget('c')).toBe(1);
  expect(await s.recent('c')).toEqual([]);
  await s.append('c', []);
  expect(await s.recent('c')).toEqual([]);
});
