/**
 * When people are at the desk: "Mon-Fri 09:00-18:00; Sat 10:00-16:00" in a time zone. Local weekday
 * and time come from Intl.DateTimeFormat, so zones with daylight saving work without a library.
 *
 * Grammar: parts separated by ';', each `<days> <times>`. Days: Mon Tue Wed Thu Fri Sat Sun (any
 * case), a range `Mon-Fri` (may wrap: `Fri-Mon`) or a comma list of days and ranges (`Mon,Wed-Thu`);
 * spaces around ',' and '-' are ignored.
 * Times: `HH:MM-HH:MM`, start before end, `24:00` allowed as an end, several as a comma list
 * (`09:00-12:00,13:00-18:00`). A window never crosses midnight: write `Fri 22:00-24:00; Sat 00:00-02:00`.
 */

export class AgentHoursError extends Error {
  override readonly name = 'AgentHoursError';
  /** The part of the spec at fault (the whole spec when it is empty), or the time zone. */
  readonly part: string;

  constructor(message: string, part: string, options?: { cause?: unknown }) {
    super(message, options);
    this.part = part;
  }
}

/** One opening window, for display: days are ISO weekdays (1 = Monday … 7 = Sunday), times as written. */
export interface AgentHoursWindow {
  days: number[];
  from: string;
  to: string;
}

export interface AgentHours {
  readonly timeZone: string;
  readonly windows: AgentHoursWindow[];
  /** Whether `at` (ms) falls in a window, to the minute: 09:00 is open, 18:00 is closed. */
  isOpen(at: number): boolean;
  /** `at` itself when open; else the first instant after it when a window opens; undefined if never. */
  nextOpening(at: number): number | undefined;
}

const bad = (what: string, part: string) => new AgentHoursError(`agent hours: ${what} in "${part}"`, part);

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MINUTES_PER_WEEK = 7 * 24 * 60;
const MINUTE = 60_000;

function parseDay(token: string, part: string): number {
  const index = DAYS.indexOf(token.trim().toLowerCase());
  if (index < 0) throw bad(`"${token.trim()}" is not a day (Mon … Sun)`, part);
  return index + 1;
}

function parseDays(spec: string, part: string): number[] {
  const days = new Set<number>();
  for (const item of spec.split(',')) {
    const ends = item.split('-');
    if (ends.length > 2) throw bad(`bad day range "${item}"`, part);
    const first = parseDay(ends[0] ?? '', part);
    const last = ends.length === 2 ? parseDay(ends[1] ?? '', part) : first;
    for (let d = first; ; d = (d % 7) + 1) {
      days.add(d);
      if (d === last) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

/** 'HH:MM' → minutes of the day; 24:00 only as an end. */
function parseTime(text: string, part: string, isEnd: boolean): number {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  const hours = Number(m?.[1]);
  const minutes = Number(m?.[2]);
  const ok = m !== null && minutes < 60 && (hours < 24 || (isEnd && hours === 24 && minutes === 0));
  if (!ok) throw bad(`"${text}" is not a time (HH:MM, 24:00 only as an end)`, part);
  return hours * 60 + minutes;
}

interface Window {
  days: number[];
  from: string;
  to: string;
  fromMinute: number;
  toMinute: number;
}

function parseSpec(spec: string): Window[] {
  const windows: Window[] = [];
  const parts = spec.split(';').map((p) => p.trim());
  if (parts.every((p) => p === '')) throw new AgentHoursError('agent hours: the spec is empty', spec);
  for (const part of parts) {
    if (part === '') continue; // a trailing ';'
    const fields = part.replace(/\s*([,-])\s*/g, '$1').split(/\s+/); // "Mon - Fri" reads as "Mon-Fri"
    if (fields.length !== 2) {
      throw bad('expected "<days> <HH:MM-HH:MM>"', part);
    }
    const [daySpec = '', timeSpec = ''] = fields;
    const days = parseDays(daySpec, part);
    for (const range of timeSpec.split(',')) {
      const ends = range.split('-');
      if (ends.length !== 2) throw bad(`"${range}" is not HH:MM-HH:MM`, part);
      const [from = '', to = ''] = ends;
      const fromMinute = parseTime(from, part, false);
      const toMinute = parseTime(to, part, true);
      if (toMinute <= fromMinute) {
        throw bad(`"${range}" ends before it starts (split windows at midnight)`, part);
      }
      windows.push({ days, from, to, fromMinute, toMinute });
    }
  }
  return windows;
}

/** Local weekday and minute of the day at `at`, and the zone's offset then (ms, local minus UTC). */
interface Local {
  day: number;
  minute: number;
  /** ms since the start of the local minute. */
  intoMinute: number;
  offset: number;
}

function localClock(timeZone: string): (at: number) => Local {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (error) {
    throw new AgentHoursError(`agent hours: unknown time zone "${timeZone}"`, timeZone, { cause: error });
  }
  return (at) => {
    const p: Record<string, number> = {};
    for (const { type, value } of format.formatToParts(at)) p[type] = Number(value);
    const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = p;
    const wall = Date.UTC(year, month - 1, day, hour, minute, second);
    const ms = ((at % 1000) + 1000) % 1000;
    return {
      day: ((new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7) + 1,
      minute: hour * 60 + minute,
      intoMinute: second * 1000 + ms,
      offset: wall - (at - ms),
    };
  };
}

export function parseAgentHours(spec: string, timeZone = 'Asia/Shanghai'): AgentHours {
  const windows = parseSpec(spec);
  const local = localClock(timeZone);

  const openAt = (l: Local) =>
    windows.some((w) => w.days.includes(l.day) && w.fromMinute <= l.minute && l.minute < w.toMinute);

  /** Wall-clock minutes from (day, minute) to the next window start, within a week; > 0. */
  const minutesToNextStart = (l: Local): number => {
    const now = (l.day - 1) * 24 * 60 + l.minute;
    let best = MINUTES_PER_WEEK;
    for (const w of windows) {
      for (const d of w.days) {
        const start = (d - 1) * 24 * 60 + w.fromMinute;
        const ahead = (start - now + MINUTES_PER_WEEK) % MINUTES_PER_WEEK || MINUTES_PER_WEEK;
        best = Math.min(best, ahead);
      }
    }
    return best;
  };

  return {
    timeZone,
    windows: windows.map(({ days, from, to }) => ({ days: [...days], from, to })),
    isOpen: (at) => openAt(local(at)),
    nextOpening(at) {
      let l = local(at);
      if (openAt(l)) return at;
      // Jump on the wall clock to the next window start. If the zone's offset changes on the way
      // (daylight saving), stop at the change instead, look again from there, and go on: the local
      // time there may already be open (clocks went forward into a window), or the jump is now exact.
      let t = at - l.intoMinute;
      for (let hops = 0; hops < 16; hops++) {
        const target = t + minutesToNextStart(l) * MINUTE;
        const there = local(target);
        if (there.offset === l.offset) {
          if (openAt(there)) return target;
          // Unreachable with whole-minute offsets; fall through to look again from the target.
          t = target;
        } else {
          t = firstMinuteWithOffsetChange(t, target, l.offset);
        }
        l = local(t);
        if (openAt(l)) return t;
      }
      return undefined;
    },
  };

  /** The first whole minute in (from, to] whose offset differs from `offset` (to has another offset). */
  function firstMinuteWithOffsetChange(from: number, to: number, offset: number): number {
    let lo = 0; // minutes after `from`, offset unchanged
    let hi = Math.round((to - from) / MINUTE); // offset changed
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (local(from + mid * MINUTE).offset === offset) lo = mid;
      else hi = mid;
    }
    return from + hi * MINUTE;
  }
}
