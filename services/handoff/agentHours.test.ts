import { AgentHoursError, parseAgentHours, type AgentHours, type AgentHoursWindow } from './agentHours';

const HOUR = 3_600_000;

/** An instant given as wall time at a UTC offset: at('2026-01-05T09:00', 8) is 09:00 in Shanghai. */
function at(wall: string, offsetHours: number): number {
  return Date.parse(`${wall}Z`) - offsetHours * HOUR;
}
const sh = (wall: string) => at(wall, 8);
/** nextOpening from a UTC instant, as an ISO string (or 'never'). */
function next(hours: AgentHours, fromUtc: string): string {
  const t = hours.nextOpening(Date.parse(fromUtc));
  return t === undefined ? 'never' : new Date(t).toISOString();
}
const iso = (utc: string) => new Date(utc).toISOString();

// 2026-01-05 is a Monday; 2026-01-09 a Friday, 2026-01-10 a Saturday, 2026-01-11 a Sunday.
const WEEKDAYS_AND_SATURDAY = 'Mon-Fri 09:00-18:00; Sat 10:00-16:00';

describe('parseAgentHours: the spec', () => {
  const ALL = [1, 2, 3, 4, 5, 6, 7];
  test.each<[string, AgentHoursWindow[]]>([
    [
      WEEKDAYS_AND_SATURDAY,
      [
        { days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' },
        { days: [6], from: '10:00', to: '16:00' },
      ],
    ],
    ['Mon-Sun 00:00-24:00', [{ days: ALL, from: '00:00', to: '24:00' }]],
    ['Mon,Wed 08:30-12:00', [{ days: [1, 3], from: '08:30', to: '12:00' }]],
    ['Fri-Mon 10:00-11:00', [{ days: [1, 5, 6, 7], from: '10:00', to: '11:00' }]], // a range may wrap
    ['Sun-Sat 00:00-01:00', [{ days: ALL, from: '00:00', to: '01:00' }]],
    ['Mon,Wed-Thu,Sun 09:00-10:00', [{ days: [1, 3, 4, 7], from: '09:00', to: '10:00' }]],
    [
      'Mon-Fri 09:00-12:00,13:00-18:00',
      [
        { days: [1, 2, 3, 4, 5], from: '09:00', to: '12:00' },
        { days: [1, 2, 3, 4, 5], from: '13:00', to: '18:00' },
      ],
    ],
    ['  mon - FRI   09:00 - 18:00 ;  ', [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' }]],
    ['Tue 23:59-24:00', [{ days: [2], from: '23:59', to: '24:00' }]],
  ])('%j', (spec, windows) => {
    expect(parseAgentHours(spec).windows).toEqual(windows);
  });

  // [spec, the part named, words in the message]
  test.each<[string, string, string]>([
    ['', '', 'empty'],
    [' ; ', ' ; ', 'empty'],
    ['Mon-Fri', 'Mon-Fri', 'expected'],
    ['09:00-18:00', '09:00-18:00', 'expected'],
    ['Mon-Fri 09:00-18:00 extra', 'Mon-Fri 09:00-18:00 extra', 'expected'],
    ['Mon-Fri 09:00-18:00; Sat 10-16', 'Sat 10-16', '"10" is not a time'],
    ['Mon-Fry 09:00-18:00', 'Mon-Fry 09:00-18:00', '"Fry" is not a day'],
    ['Monday 09:00-18:00', 'Monday 09:00-18:00', '"Monday" is not a day'],
    ['Mon-Tue-Wed 09:00-18:00', 'Mon-Tue-Wed 09:00-18:00', 'bad day range'],
    ['Mon, 09:00-18:00', 'Mon, 09:00-18:00', 'expected'],
    ['Mon,,Tue 09:00-18:00', 'Mon,,Tue 09:00-18:00', '"" is not a day'],
    ['Mon 9:00-18:00', 'Mon 9:00-18:00', '"9:00" is not a time'],
    ['Mon 09:00-18:60', 'Mon 09:00-18:60', '"18:60" is not a time'],
    ['Mon 24:00-24:00', 'Mon 24:00-24:00', '"24:00" is not a time'],
    ['Mon 09:00-24:30', 'Mon 09:00-24:30', '"24:30" is not a time'],
    ['Mon 09:00-25:00', 'Mon 09:00-25:00', '"25:00" is not a time'],
    ['Mon 18:00-09:00', 'Mon 18:00-09:00', 'ends before it starts'],
    ['Mon 09:00-09:00', 'Mon 09:00-09:00', 'ends before it starts'],
    ['Fri 22:00-02:00', 'Fri 22:00-02:00', 'split windows at midnight'],
    ['Mon 09:00-12:00-18:00', 'Mon 09:00-12:00-18:00', 'is not HH:MM-HH:MM'],
  ])('%j is refused, naming %j', (spec, part, words) => {
    let error: unknown;
    try {
      parseAgentHours(spec);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AgentHoursError);
    expect(error).toMatchObject({ name: 'AgentHoursError', part });
    expect((error as AgentHoursError).message).toContain(words);
  });

  it('refuses an unknown time zone', () => {
    expect(() => parseAgentHours('Mon 09:00-10:00', 'Mars/Olympus')).toThrow(
      expect.objectContaining({ name: 'AgentHoursError', part: 'Mars/Olympus' }),
    );
  });

  it('keeps its zone (Asia/Shanghai unless told)', () => {
    expect(parseAgentHours('Mon 09:00-10:00').timeZone).toBe('Asia/Shanghai');
    expect(parseAgentHours('Mon 09:00-10:00', 'Europe/London').timeZone).toBe('Europe/London');
  });
});

describe('isOpen (Asia/Shanghai)', () => {
  const hours = parseAgentHours(WEEKDAYS_AND_SATURDAY);
  test.each<[string, boolean]>([
    ['2026-01-05T08:59:59.999', false],
    ['2026-01-05T09:00:00.000', true], // opening time is open
    ['2026-01-05T12:30:00.000', true],
    ['2026-01-05T17:59:59.999', true],
    ['2026-01-05T18:00:00.000', false], // closing time is closed
    ['2026-01-09T17:00:00.000', true], // Friday
    ['2026-01-10T09:59:00.000', false], // Saturday opens later
    ['2026-01-10T10:00:00.000', true],
    ['2026-01-10T15:59:59.000', true],
    ['2026-01-10T16:00:00.000', false],
    ['2026-01-11T12:00:00.000', false], // Sunday
    ['2026-01-12T00:00:00.000', false], // Monday midnight
  ])('%s → %s', (wall, open) => {
    expect(hours.isOpen(sh(wall))).toBe(open);
  });

  it('"Mon-Sun 00:00-24:00" is always open, every hour of a week', () => {
    const always = parseAgentHours('Mon-Sun 00:00-24:00');
    for (let t = sh('2026-01-05T00:00'); t < sh('2026-01-12T00:00'); t += HOUR / 2) {
      expect(always.isOpen(t)).toBe(true);
    }
    expect(always.isOpen(sh('2026-01-11T23:59:59.999'))).toBe(true);
  });

  test.each<[string, boolean]>([
    ['2026-01-09T19:59:59.999', false],
    ['2026-01-09T20:00:00.000', true],
    ['2026-01-09T23:59:59.999', true], // to 24:00 means to the end of the day
    ['2026-01-10T00:00:00.000', false], // ... and not into Saturday
  ])('"Fri 20:00-24:00" at %s → %s', (wall, open) => {
    expect(parseAgentHours('Fri 20:00-24:00').isOpen(sh(wall))).toBe(open);
  });
});

describe('nextOpening (Asia/Shanghai)', () => {
  const hours = parseAgentHours(WEEKDAYS_AND_SATURDAY);
  const weekdays = parseAgentHours('Mon-Fri 09:00-18:00');
  test.each<[string, ReturnType<typeof parseAgentHours>, string, string]>([
    ['open now: now', hours, '2026-01-05T10:15:42.123', '2026-01-05T10:15:42.123'],
    ['before opening: today at 09:00', hours, '2026-01-05T08:59:30.500', '2026-01-05T09:00:00.000'],
    ['at closing: tomorrow', hours, '2026-01-05T18:00:00.000', '2026-01-06T09:00:00.000'],
    ['Friday evening: Saturday 10:00', hours, '2026-01-09T18:00:00.000', '2026-01-10T10:00:00.000'],
    ['Saturday evening: Monday', hours, '2026-01-10T16:00:00.000', '2026-01-12T09:00:00.000'],
    ['Friday evening, no weekend hours: Monday', weekdays, '2026-01-09T18:30:00.000', '2026-01-12T09:00:00.000'],
    ['Sunday night: Monday', weekdays, '2026-01-11T23:59:59.999', '2026-01-12T09:00:00.000'],
    ['Monday 09:00 sharp: now', weekdays, '2026-01-12T09:00:00.000', '2026-01-12T09:00:00.000'],
    [
      'once a week, just after: a week later',
      parseAgentHours('Wed 14:00-14:30'),
      '2026-01-07T14:30:00.000',
      '2026-01-14T14:00:00.000',
    ],
  ])('%s', (_case, h, from, expected) => {
    expect(next(h, new Date(sh(from)).toISOString())).toBe(new Date(sh(expected)).toISOString());
    expect(h.isOpen(sh(expected))).toBe(true);
  });

  it('"always" opens now', () => {
    const t = sh('2026-01-10T03:04:05.006');
    expect(parseAgentHours('Mon-Sun 00:00-24:00').nextOpening(t)).toBe(t);
  });
});

describe('time zones', () => {
  it('one instant, two zones', () => {
    const instant = Date.parse('2026-01-05T02:00:00Z'); // 10:00 Shanghai, 02:00 London (GMT)
    expect(parseAgentHours('Mon 09:00-18:00', 'Asia/Shanghai').isOpen(instant)).toBe(true);
    expect(parseAgentHours('Mon 09:00-18:00', 'Europe/London').isOpen(instant)).toBe(false);
  });

  it('a half-hour zone (Asia/Kolkata, +05:30)', () => {
    const kolkata = parseAgentHours('Mon-Fri 09:00-18:00', 'Asia/Kolkata');
    expect(kolkata.isOpen(at('2026-01-05T08:59:59', 5.5))).toBe(false);
    expect(kolkata.isOpen(at('2026-01-05T09:00:00', 5.5))).toBe(true);
    expect(kolkata.nextOpening(at('2026-01-09T18:00:00', 5.5))).toBe(at('2026-01-12T09:00:00', 5.5));
  });

  describe('Europe/London, with daylight saving (BST from 2026-03-29 01:00Z to 2026-10-25 01:00Z)', () => {
    const london = parseAgentHours('Mon-Fri 09:00-18:00', 'Europe/London');
    test.each<[string, number, boolean]>([
      // [UTC instant, what it is in London, open?]
      ['2026-01-05T08:59:59Z', 8, false], // winter: 08:59 GMT
      ['2026-01-05T09:00:00Z', 9, true], // winter: 09:00 GMT
      ['2026-07-06T07:59:59Z', 8, false], // summer: 08:59 BST
      ['2026-07-06T08:00:00Z', 9, true], // summer: 09:00 BST
      ['2026-07-06T16:59:59Z', 17, true], // 17:59 BST
      ['2026-07-06T17:00:00Z', 18, false], // 18:00 BST
    ])('%s (%i o’clock local) → %s', (utc, _localHour, open) => {
      expect(london.isOpen(Date.parse(utc))).toBe(open);
    });

    test.each<[string, string, string]>([
      // Fri 18:30 GMT → Mon 09:00 BST
      ['clocks go forward over the weekend', '2026-03-27T18:30:00Z', '2026-03-30T08:00:00Z'],
      // Fri 18:30 BST → Mon 09:00 GMT
      ['clocks go back over the weekend', '2026-10-23T17:30:00Z', '2026-10-26T09:00:00Z'],
      ['an ordinary summer weekend', '2026-07-10T17:00:00Z', '2026-07-13T08:00:00Z'],
    ])('%s: %s → %s', (_case, from, expected) => {
      expect(next(london, from)).toBe(iso(expected));
    });

    it('a window that starts in the skipped hour opens when the clocks jump into it', () => {
      const h = parseAgentHours('Sun 01:30-03:00', 'Europe/London');
      // 00:50 GMT; at 01:00Z the clock reads 02:00 BST, inside the window.
      expect(next(h, '2026-03-29T00:50:00Z')).toBe('2026-03-29T01:00:00.000Z');
      expect(h.isOpen(Date.parse('2026-03-29T00:59:59Z'))).toBe(false);
      expect(h.isOpen(Date.parse('2026-03-29T01:00:00Z'))).toBe(true);
    });

    it('a window inside the skipped hour does not happen that day', () => {
      const h = parseAgentHours('Sun 01:15-01:45', 'Europe/London');
      expect(next(h, '2026-03-29T00:50:00Z')).toBe('2026-04-05T00:15:00.000Z');
    });

    it('the repeated hour opens a window twice, as isOpen says', () => {
      const h = parseAgentHours('Sun 01:00-01:30', 'Europe/London');
      expect(h.isOpen(Date.parse('2026-10-25T00:10:00Z'))).toBe(true); // 01:10 BST
      expect(h.isOpen(Date.parse('2026-10-25T00:40:00Z'))).toBe(false); // 01:40 BST
      expect(h.isOpen(Date.parse('2026-10-25T01:10:00Z'))).toBe(true); // 01:10 GMT
      expect(next(h, '2026-10-25T00:40:00Z')).toBe('2026-10-25T01:00:00.000Z');
      expect(next(h, '2026-10-25T01:30:00Z')).toBe('2026-11-01T01:00:00.000Z');
    });

    it('nextOpening agrees with a minute-by-minute scan across both changes', () => {
      const h = parseAgentHours('Mon-Fri 09:00-18:00; Sun 01:00-02:30', 'Europe/London');
      for (const start of ['2026-03-27T12:00:00Z', '2026-10-23T12:00:00Z']) {
        let t = Date.parse(start);
        let expected = t;
        const end = t + 4 * 24 * HOUR;
        for (; t < end; t += 7 * 60_000) {
          while (!h.isOpen(expected) || expected < t) expected += 60_000;
          const from = new Date(t).toISOString();
          expect([from, h.nextOpening(t)]).toEqual([from, h.isOpen(t) ? t : expected]);
        }
      }
    });
  });
});
