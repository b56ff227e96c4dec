import { createHarness, last, cd, type Harness } from '../support/harness';
import { driveTo } from '../support/drive';
import { FRESH, ZHANG } from '../support/demo';
import type { Activity } from 'botbuilder';

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ storage: 'sqlite' });
});
afterEach(() => h.dispose());

test('no code, full card, ID or phone number in replies, logs, audit, handoffs, transcripts or anything stored', async () => {
  const c = h.conversation();
  const replies: Partial<Activity>[] = [...(await c.join()), ...(await driveTo(h, c, 'confirm'))];
  replies.push(...(await c.say('确认')));
  expect(cd(last(replies)).outcome).toBe('phoneChanged');
  replies.push(...(await c.say('转人工')));

  const codes = h.sms.sent.map((m) => /(\d{6})/.exec(m.text)?.[1]).filter((x): x is string => Boolean(x));
  expect(codes).toHaveLength(2);
  const secrets = [ZHANG.card, ZHANG.id, ZHANG.national, FRESH.national, ...codes];

  const stored = await h.storedText();
  const places: Record<string, string> = {
    replies: JSON.stringify(replies),
    logs: h.logLines.join('\n'),
    audit: JSON.stringify(await h.services.audit.list()),
    handoffs: JSON.stringify(await h.services.queue.waiting()),
    transcripts: JSON.stringify(await h.services.transcripts.recent(`test/${c.id}`, 500)),
    // Every table, or every Redis key: conversation state, codes, limits, audit, queue, transcripts.
    stored,
  };
  expect(h.logLines.length).toBeGreaterThan(5);
  for (const [place, text] of Object.entries(places)) {
    for (const secret of secrets) {
      if (text.includes(secret)) throw new Error(`a secret (${secret.slice(0, 3)}…) appears in ${place}`);
    }
  }
});
