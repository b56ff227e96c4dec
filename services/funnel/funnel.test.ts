import { computeFunnel, formatFunnel, funnelStep, FUNNEL_STEPS, type FunnelStep } from './funnel';

/** Events of one conversation, one a second, in the order given. */
const journey = (conversation: string, steps: FunnelStep[], from = 0) =>
  steps.map((step, i) => ({ conversation, step, at: from + i * 1000 }));
const upTo = (step: FunnelStep) => FUNNEL_STEPS.slice(0, FUNNEL_STEPS.indexOf(step as never) + 1);

describe('funnelStep: what a turn shows', () => {
  test.each([
    [{ expecting: 'cardNumber' }, 'started'],
    [{ expecting: 'idNumber' }, 'cardNumber'],
    [{ expecting: 'oldPhone' }, 'idNumber'],
    [{ expecting: 'oldPhoneReachable' }, 'oldPhone'],
    [{ expecting: 'otp', otpTarget: 'old' }, 'oldPhoneReachable'],
    [{ expecting: 'newPhone' }, 'otpOld'],
    [{ expecting: 'otp', otpTarget: 'new' }, 'newPhone'],
    [{ expecting: 'confirm' }, 'otpNew'],
    [{ outcome: 'phoneChanged' }, 'phoneChanged'],
    [{ outcome: 'handedOff', expecting: 'rating' }, 'handedOff'],
    [{ expecting: 'rating' }, undefined],
    [{ expecting: 'callbackTime' }, undefined],
    [{}, undefined],
  ] as const)('%j → %s', (turn, step) => {
    expect(funnelStep({ replayed: false, ...turn })).toBe(step);
  });

  test('a retry answered from the record shows nothing', () => {
    expect(funnelStep({ replayed: true, expecting: 'cardNumber' })).toBeUndefined();
  });
});

describe('computeFunnel', () => {
  test('nothing recorded: zeros, no division by zero', () => {
    const r = computeFunnel([]);
    expect(r.started).toBe(0);
    expect(r.containmentRate).toBe(0);
    expect(r.steps.every((s) => s.count === 0 && s.ofStarted === 0 && s.ofPrevious === 0)).toBe(true);
  });

  test('drop-offs, endings and containment with handoffs', () => {
    const events = [
      // Finished alone; a detail asked again does not undo progress.
      ...journey('a', [...upTo('otpOld'), 'started', ...upTo('otpNew'), 'phoneChanged']),
      // Left at the code for the current number.
      ...journey('b', upTo('oldPhoneReachable')),
      // Handed off at the new number, then (back with the bot) finished: not contained.
      ...journey('c', [...upTo('newPhone'), 'handedOff', 'otpNew', 'phoneChanged']),
      // Cancelled when asked for the ID number.
      ...journey('d', [...upTo('cardNumber'), 'cancelled']),
      // Locked when asked for the current number.
      ...journey('e', [...upTo('idNumber'), 'locked']),
      // Asked for a person from the menu, never started a change: not in the funnel.
      ...journey('f', ['handedOff']),
      // One sentence with card and ID number: the first step seen is oldPhone's question.
      ...journey('g', ['idNumber', 'oldPhone', 'rejected']),
    ];
    const r = computeFunnel(events);
    expect(r.started).toBe(6);
    const count = Object.fromEntries(r.steps.map((s) => [s.step, s.count]));
    expect(count).toEqual({
      started: 6,
      cardNumber: 6,
      idNumber: 5,
      oldPhone: 4,
      oldPhoneReachable: 3,
      otpOld: 2,
      newPhone: 2,
      otpNew: 2,
      confirm: 2,
    });
    const oldPhoneReachable = r.steps.find((s) => s.step === 'oldPhoneReachable');
    expect(oldPhoneReachable?.ofStarted).toBeCloseTo(3 / 6);
    expect(oldPhoneReachable?.ofPrevious).toBeCloseTo(3 / 4);
    expect(r.steps[0]?.ofPrevious).toBe(1);
    expect(r.endings).toEqual({ phoneChanged: 2, handedOff: 0, cancelled: 1, locked: 1, rejected: 1, open: 1 });
    expect(r.contained).toBe(1);
    expect(r.containmentRate).toBeCloseTo(1 / 6);
  });

  test('events are taken in time order, whatever order they were stored in', () => {
    const events = journey('a', ['started', 'cardNumber', 'handedOff', 'phoneChanged']).reverse();
    const r = computeFunnel(events);
    expect(r.endings.phoneChanged).toBe(1);
    expect(r.contained).toBe(0);
  });

  test('the last ending counts: cancelled, then started again and changed', () => {
    const r = computeFunnel([...journey('a', ['started', 'cancelled', ...upTo('otpNew'), 'phoneChanged'])]);
    expect(r.endings).toMatchObject({ cancelled: 0, phoneChanged: 1 });
    expect(r.containmentRate).toBe(1);
  });

  test('unknown steps are ignored', () => {
    expect(computeFunnel([{ conversation: 'x', step: 'somethingElse', at: 0 }]).started).toBe(0);
  });
});

test('formatFunnel prints counts, shares and the containment rate', () => {
  const text = formatFunnel(computeFunnel([...journey('a', [...upTo('otpNew'), 'phoneChanged']), ...journey('b', upTo('cardNumber'))]));
  expect(text).toContain('Conversations that started a change: 2');
  expect(text).toMatch(/cardNumber\s+2\s+100\.0%\s+100\.0%/);
  expect(text).toMatch(/idNumber\s+1\s+50\.0%\s+50\.0%/);
  expect(text).toMatch(/open\s+1\s+50\.0%/);
  expect(text).toContain('Containment (number changed, no person involved): 1 / 2 = 50.0%');
});
