/**
 * The transcript copies on tickets, on both queues: retention blanks those of tickets that ended before
 * the cutoff, deletion on request those of one conversation. The tickets themselves stay.
 */
import type { MaskedSummary } from '../../domain/maskedSummary';
import { dumpKeys } from '../../tests/support/dumpKeys';
import { openDatabase } from '../platform/openDatabase';
import { asyncQueue, createSqliteHandoffQueue } from './sqlite';
import type { HandoffQueue } from './index';
import type { TranscriptLine } from '../transcripts';
import { redisQueuesForTests } from '../../tests/support/redisQueues';

const DAY = 24 * 3600_000;
const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
const CONTEXT: MaskedSummary = { card: '6222 **** **** 0128', passed: { identity: true, oldCode: false, newCode: false } };

interface Harness {
  queue: HandoffQueue;
  setNow(t: number): void;
  /** Everything the store holds, as one string. */
  raw(): Promise<string>;
}

const redisQueues = redisQueuesForTests('copies');

const backends: Array<[string, () => Harness]> = [
  [
    'SQLite',
    () => {
      const state = { now: T0, n: 0 };
      const db = openDatabase(':memory:');
      const queue = asyncQueue(createSqliteHandoffQueue({ db, clock: () => state.now, newTicket: () => `T${++state.n}` }));
      return {
        queue,
        setNow: (t) => (state.now = t),
        raw: async () => JSON.stringify(db.prepare('SELECT * FROM handoff_tickets').all()),
      };
    },
  ],
  [
    'Redis',
    () => {
      const state = { now: T0, n: 0 };
      const { queue, redis, prefix } = redisQueues.open({ clock: () => state.now, newTicket: () => `T${++state.n}` });
      return { queue, setNow: (t) => (state.now = t), raw: () => dumpKeys(redis, prefix) };
    },
  ],
];

const lines = (word: string): TranscriptLine[] => [
  { at: T0 - 1000, from: 'customer', text: `${word} asks for a person` },
  { at: T0 - 500, from: 'bot', text: `${word} is told to wait` },
];

describe.each(backends)('transcript copies on tickets (%s)', (_name, make) => {
  test('retention blanks the copies of tickets that ended before the cutoff; the tickets stay', async () => {
    const { queue, setNow, raw } = make();
    const ask = (conversationId: string, word: string, transcript = lines(word)) =>
      queue.enqueue({ conversationId, reason: 'customerRequest', locale: 'zh-CN', context: CONTEXT, transcript });
    // [conversation, word]: what each ticket's copy says.
    for (const [c, w] of [
      ['closedOld', 'alpha'],
      ['returnedOld', 'bravo'],
      ['cancelledOld', 'charlie'],
      ['closedRecently', 'delta'],
      ['stillWaiting', 'echo'],
      ['stillWithAgent', 'foxtrot'],
    ]) {
      await ask(c as string, w as string);
    }
    await ask('emptyOld', 'golf', []);
    for (const t of ['T1', 'T2', 'T4', 'T6', 'T7']) await queue.claim(t, 'a01');
    await queue.addLine('T1', { from: 'agent', text: 'alpha hears from an agent' });
    setNow(T0 + DAY);
    await queue.close('T1', 'a01', 'resolved');
    await queue.handBack('T2', 'a01');
    await queue.cancel('T3');
    await queue.close('T7', 'a01', 'other');
    setNow(T0 + 5 * DAY);
    await queue.close('T4', 'a01', 'resolved');
    const before = await Promise.all(['T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7'].map((t) => queue.get(t)));

    expect(await queue.purgeTranscriptsBefore(T0 + 3 * DAY)).toBe(3);

    const after = await Promise.all(['T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7'].map((t) => queue.get(t)));
    const blanked = new Set(['T1', 'T2', 'T3']);
    after.forEach((ticket, i) => {
      const was = before[i];
      expect(ticket).toEqual(blanked.has(was?.ticket ?? '') ? { ...was, transcript: [] } : was);
    });
    const stored = await raw();
    for (const gone of ['alpha', 'bravo', 'charlie']) expect(stored).not.toContain(gone);
    for (const kept of ['delta', 'echo', 'foxtrot']) expect(stored).toContain(kept);
    // Nothing more to blank; a rating still lands on a blanked ticket.
    expect(await queue.purgeTranscriptsBefore(T0 + 3 * DAY)).toBe(0);
    expect(await queue.rate('T1', 5)).toBe(true);
    await expect(queue.purgeTranscriptsBefore(Number.NaN)).rejects.toThrow(RangeError);
  });

  test('forgetting a conversation blanks the copies on all its tickets, open or ended, and no other', async () => {
    const { queue, setNow, raw } = make();
    const mine = 'webchat/3kd9Zq|0001*[x]';
    const ask = (conversationId: string, word: string) =>
      queue.enqueue({ conversationId, reason: 'complaint', locale: 'en-US', context: CONTEXT, transcript: lines(word) });
    await ask(mine, 'hotel');
    await queue.claim('T1', 'a01');
    await queue.close('T1', 'a01', 'resolved');
    await ask('webchat/someone-else', 'india');
    setNow(T0 + 60_000);
    await ask(mine, 'juliet'); // asks again: an open ticket

    expect(await queue.forgetTranscripts(mine)).toBe(2);

    expect((await queue.get('T1'))?.transcript).toEqual([]);
    expect(await queue.get('T3')).toMatchObject({ status: 'waiting', transcript: [], conversationId: mine });
    expect((await queue.get('T2'))?.transcript).toEqual(lines('india'));
    const stored = await raw();
    expect(stored).not.toContain('hotel');
    expect(stored).not.toContain('juliet');
    // The open ticket goes on: new lines are kept again.
    await queue.addLine('T3', { from: 'customer', text: 'still there?' });
    expect((await queue.get('T3'))?.transcript.map((l) => l.text)).toEqual(['still there?']);
    expect(await queue.forgetTranscripts('webchat/nobody')).toBe(0);
  });
});
