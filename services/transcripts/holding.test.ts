import { openDatabase } from '../platform/openDatabase';
import { holdingTranscripts } from './holding';
import { createSqliteTranscriptStore } from './sqlite';
import type { TranscriptStore } from './index';

/** A SQLite store whose appends are counted, and can be made to fail. */
function counted() {
  let now = 5000;
  const inner = createSqliteTranscriptStore({ db: openDatabase(':memory:'), clock: () => now++ });
  const appends: number[] = [];
  let failNext = false;
  const store: TranscriptStore = {
    ...inner,
    async append(conversationId, lines) {
      if (failNext) {
        failNext = false;
        throw new Error('disk full');
      }
      appends.push(lines.length);
      await inner.append(conversationId, lines);
    },
  };
  return { inner, store, appends, failNextAppend: () => (failNext = true) };
}

describe('holding transcripts: a turn’s first lines written with its answer', () => {
  test('held lines are read after the stored ones, masked, and written first with the next append, in one write', async () => {
    const { inner, store, appends } = counted();
    const t = holdingTranscripts(store);
    await t.append('c', [{ from: 'bot', text: '您好', at: 1 }]);
    t.hold('c', [{ from: 'customer', text: '我的卡号 6222021234567890128', at: 2 }]);
    // Not written yet, but a copy made now (a handoff) has it, masked as the store keeps it.
    expect(await inner.recent('c')).toHaveLength(1);
    expect(await t.recent('c')).toEqual([
      { at: 1, from: 'bot', text: '您好' },
      { at: 2, from: 'customer', text: '我的卡号 6222 **** **** 0128' },
    ]);
    expect(await t.recent('c', 1)).toEqual([{ at: 2, from: 'customer', text: '我的卡号 6222 **** **** 0128' }]);
    expect(t.heldLines('c')).toBe(1);
    // Other conversations hold nothing.
    expect(await t.recent('other')).toEqual([]);

    await t.append('c', [{ from: 'bot', text: '请输入身份证号', at: 3 }]);
    expect(appends).toEqual([1, 2]);
    expect((await inner.recent('c')).map((l) => [l.at, l.from])).toEqual([
      [1, 'bot'],
      [2, 'customer'],
      [3, 'bot'],
    ]);
    // Written once: nothing is held any more.
    expect(t.heldLines('c')).toBe(0);
    await t.release('c');
    expect(appends).toEqual([1, 2]);
    expect(await t.recent('c')).toHaveLength(3);
  });

  test('release writes what a turn left held; a failed write keeps the lines held for the next one', async () => {
    const { inner, store, appends, failNextAppend } = counted();
    const t = holdingTranscripts(store);
    t.hold('c', [{ from: 'customer', text: 'hello', at: 7 }]);
    failNextAppend();
    await expect(t.append('c', [{ from: 'bot', text: 'hi', at: 8 }])).rejects.toThrow('disk full');
    expect(await t.recent('c')).toEqual([{ at: 7, from: 'customer', text: 'hello' }]);
    await t.release('c');
    expect(appends).toEqual([1]);
    expect(await inner.recent('c')).toEqual([{ at: 7, from: 'customer', text: 'hello' }]);
  });

  test('forgetting a conversation forgets what it holds too', async () => {
    const { inner, store } = counted();
    const t = holdingTranscripts(store);
    await t.append('c', [{ from: 'bot', text: 'hi', at: 1 }]);
    t.hold('c', [{ from: 'customer', text: 'delete my chat', at: 2 }]);
    expect(await t.forget('c')).toBe(1);
    await t.release('c');
    expect(await inner.recent('c')).toEqual([]);
    expect(await t.recent('c')).toEqual([]);
  });
});
