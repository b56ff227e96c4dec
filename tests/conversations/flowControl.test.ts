import { cd, createHarness, last, type Harness } from '../support/harness';
import { driveTo } from '../support/drive';
import { ZHANG } from '../support/demo';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => h.dispose());

// Cancel, help and start over at every question, in both languages, and what happens after (a code
// sent before starting over no longer works) are conversation scripts:
// tests/scripts/at-each-question/*.yaml, tests/scripts/flows/cancel.yaml and
// tests/scripts/understanding/out-of-scope.yaml. What needs code stays here.

describe('asking for a person mid-flow', () => {
  test('hands off with the context masked', async () => {
    const c = h.conversation();
    await driveTo(h, c, 'oldPhoneReachable');
    const reply = last(await c.say('转人工'));
    expect(cd(reply)).toMatchObject({ key: 'handoff.queued', outcome: 'handedOff', intent: 'handoff' });
    const [request] = await h.services.queue.waiting();
    expect(request?.reason).toBe('customerRequest');
    expect(request?.context.card).toBe(ZHANG.maskedCard);
    expect(request?.context.passed.identity).toBe(true);
    expect(JSON.stringify(request)).not.toContain(ZHANG.card);
    expect(JSON.stringify(request)).not.toContain(ZHANG.national);
    expect(JSON.stringify(request)).not.toContain(ZHANG.id);
  });
});
