import { createHarness, type Harness, cd, last } from '../../tests/support/harness';
import { driveTo } from '../../tests/support/drive';
import { testRedisUrl, uniquePrefix } from '../../tests/support/redis';
import { computeFunnel } from './funnel';

const stores: Array<[string, () => Record<string, string>]> = [
  ['SQLite', () => ({})],
  ['Redis', () => ({ STORAGE: 'redis', REDIS_URL: testRedisUrl(), REDIS_PREFIX: uniquePrefix('funnel-bot') })],
];

describe.each(stores)('the funnel of the whole bot, in-process (%s)', (_name, env) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness({ env: env() });
  });
  afterEach(() => h.dispose());

  test('one change from start to finish: started once, every step reached, contained', async () => {
    const c = h.conversation('funnel-1');
    await driveTo(h, c, 'confirm');
    expect(cd(last(await c.say('确认')))).toMatchObject({ outcome: 'phoneChanged' });

    const events = await h.services.funnel.all();
    expect(JSON.stringify(events)).not.toContain('funnel-1');
    const report = computeFunnel(events);
    expect(report.started).toBe(1);
    expect(report.steps.map((s) => [s.step, s.count])).toEqual([
      ['started', 1],
      ['cardNumber', 1],
      ['idNumber', 1],
      ['oldPhone', 1],
      ['oldPhoneReachable', 1],
      ['otpOld', 1],
      ['newPhone', 1],
      ['otpNew', 1],
      ['confirm', 1],
    ]);
    expect(report.endings.phoneChanged).toBe(1);
    expect(report.containmentRate).toBe(1);
    // One event per step, in order: the turn-by-turn record, not only the result. The first code goes
    // as soon as the current number is given, so its prompt shows both that step and reachability
    // got past (the report counts the furthest step: oldPhone is counted above).
    expect(events.map((e) => e.step)).toEqual([
      'started',
      'cardNumber',
      'idNumber',
      'oldPhoneReachable',
      'otpOld',
      'newPhone',
      'otpNew',
      'phoneChanged',
    ]);
  });

  test('a person asked for mid-change: started, handed off, not contained', async () => {
    const c = h.conversation('funnel-2');
    await driveTo(h, c, 'oldPhone');
    await c.say('转人工');
    const report = computeFunnel(await h.services.funnel.all());
    expect(report.started).toBe(1);
    expect(report.steps.find((s) => s.step === 'idNumber')?.count).toBe(1);
    expect(report.steps.find((s) => s.step === 'oldPhone')?.count).toBe(0);
    expect(report.endings.handedOff).toBe(1);
    expect(report.containmentRate).toBe(0);
  });
});
