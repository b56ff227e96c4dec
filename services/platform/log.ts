/**
 * Structured logs: one JSON object per line (pino), with no full card, ID or phone number and no
 * one-time code in any line, at any level. Two layers do that, whatever a caller passes:
 * - keys: values under sensitive keys (`phone`, `card`, `idNumber`, `code`, `text`, `token`, …, at any
 *   depth) are masked (`138****8000`, `6222 **** **** 0123`) or replaced by '[redacted]';
 * - text: every string (the message, field values and keys, error messages and stacks) goes through
 *   {@link scrubLogText}, which masks anything that looks like a card, ID or phone number or a code.
 * pino JSON-encodes every string, so CR/LF in customer text cannot start a line of its own.
 */
import pino, { type DestinationStream, type LevelWithSilent } from 'pino';
import { maskCard, maskDigitsInText, maskId, maskPhone } from '../../domain/mask';
import { findDigitRuns } from '../../domain/validation';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Whether lines at `level` are written (a caller may skip building what would not be). */
  enabled?(level: Exclude<LogLevel, 'silent'>): boolean;
}

export interface LoggerOptions {
  /** Lines below this level are not written; 'silent' writes nothing. */
  level?: LogLevel;
  /** Receives one complete JSON line, without its newline. Default: stdout. */
  write?: (line: string) => void;
  /** Milliseconds since the epoch, for `time`. */
  clock?: () => number;
}

export function createLogger({
  level = 'info',
  write = (line: string) => process.stdout.write(line + '\n'),
  clock = Date.now,
}: LoggerOptions = {}): Logger {
  // pino writes each line synchronously to a plain object with write(). JSON leaves U+2028, U+2029
  // and U+0085 raw inside strings; some viewers break lines there, so they are escaped as well.
  const destination: DestinationStream = {
    write: (s: string) => write(s.replace(/\n$/, '').replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)),
  };
  const p = pino(
    {
      level: level satisfies LevelWithSilent,
      base: undefined,
      messageKey: 'msg',
      timestamp: () => `,"time":"${new Date(clock()).toISOString()}"`,
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => cleanFields(fields),
      },
      serializers: { err: (value: unknown) => (value instanceof Error ? cleanError(value, new Walk()) : value) },
      hooks: {
        // The message (and any other string argument) is scrubbed like a field.
        logMethod(args, method) {
          const scrubbed = args.map((a: unknown) => (typeof a === 'string' ? safeLogText(a) : a));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
  return {
    debug: (msg, fields = {}) => p.debug(fields, msg),
    info: (msg, fields = {}) => p.info(fields, msg),
    warn: (msg, fields = {}) => p.warn(fields, msg),
    error: (msg, fields = {}) => p.error(fields, msg),
    enabled: (at) => p.isLevelEnabled(at),
  };
}

const REDACTED = '[redacted]';

/** How the value under a sensitive key is written, by the key lower-cased without separators. */
const SENSITIVE_KEYS: Record<string, 'phone' | 'card' | 'id' | 'drop'> = {
  phone: 'phone',
  phonenumber: 'phone',
  oldphone: 'phone',
  newphone: 'phone',
  mobile: 'phone',
  card: 'card',
  cardnumber: 'card',
  idnumber: 'id',
  text: 'drop',
  code: 'drop',
  otp: 'drop',
  password: 'drop',
  secret: 'drop',
  token: 'drop',
  authorization: 'drop',
  cookie: 'drop',
};

function sensitivity(key: string): (typeof SENSITIVE_KEYS)[string] | undefined {
  return SENSITIVE_KEYS[key.toLowerCase().replace(/[^a-z]/g, '')];
}

/** The value of a sensitive key as it may be logged; other keys' values unchanged. */
function censor(key: string, value: unknown, walk: Walk): unknown {
  const kind = sensitivity(key);
  if (kind === undefined || value === undefined || value === null) return value;
  if (kind === 'drop' || !['string', 'number', 'bigint'].includes(typeof value)) return REDACTED;
  const text = String(value);
  // A number is never this long: whatever it is, it is not written.
  if (text.length > 64) return REDACTED;
  // Already masked ('138****8000'): keep it, scrubbed like any text.
  if (text.includes('*') || text === REDACTED) return walk.text(text);
  return kind === 'phone' ? maskPhone(text) : kind === 'card' ? maskCard(text) : maskId(text);
}

/** `2026-11-28T02:00:00.000Z`: a time, not a number to mask. */
const ISO_TIME = /(?<!\d)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?(?!\d)/g;

/**
 * Text made safe to log: every number of 6+ digits masked by {@link maskDigitsInText} (cards as
 * '6222 **** **** 0123', CN and international mobiles as '138****8000' / '+44 ****3456', resident IDs
 * as '1101**********002X', anything else, codes included, as one '*' per digit), and any other
 * standalone 4–5 digit number (a short code) as stars too. Left as they are: ISO times, numbers inside
 * words ('v1234', 'a1b2'), after or before ':' (ports, 'file.ts:1234:5'), and the visible ends of a
 * masked number ('138****8000').
 */
export function scrubLogText(text: string): string {
  let out = '';
  let cursor = 0;
  for (const time of text.matchAll(ISO_TIME)) {
    const start = time.index ?? 0;
    out += scrubNumbers(text.slice(cursor, start)) + time[0];
    cursor = start + time[0].length;
  }
  return out + scrubNumbers(text.slice(cursor));
}

function scrubNumbers(text: string): string {
  const masked = maskDigitsInText(text);
  let out = '';
  let cursor = 0;
  for (const run of findDigitRuns(masked, 'loose')) {
    if (run.digits.length < 4 || run.digits.length > 5) continue;
    const before = masked.slice(Math.max(0, run.start - 2), run.start);
    const after = masked.slice(run.end, run.end + 2);
    if (/[A-Za-z_:]$|\*\s?$/.test(before) || /^[A-Za-z_:]|^\s?\*/.test(after)) continue;
    out += masked.slice(cursor, run.start) + (run.plus ? '+' : '') + '*'.repeat(run.digits.length);
    cursor = run.end;
  }
  return out + masked.slice(cursor);
}

const MAX_DEPTH = 8;
/** The longest string written as it is; a longer one keeps its first part and says its length. */
export const MAX_LOGGED_CHARS = 2048;
/** Items of a list, or fields of an object, written; the rest are counted. */
const MAX_ENTRIES = 50;
/** Characters of text one line may carry in all; past that, strings are left out. */
const LINE_BUDGET = 16 * 1024;

/**
 * Text made safe to log and capped at `max` characters: `<first part, scrubbed>…[<length> chars]`.
 * Capped before it is scrubbed, so a huge value costs no more than a small one; a number cut at the
 * edge is shorter than any number the scrubber would leave visible. The length is added after
 * scrubbing (it is ours, not the caller's).
 */
export function safeLogText(text: string, max = MAX_LOGGED_CHARS): string {
  return text.length <= max ? scrubLogText(text) : `${scrubLogText(text.slice(0, max))}…[${text.length} chars]`;
}

/** One line's walk through its fields: what was seen (cycles) and how much text is left to write. */
class Walk {
  readonly seen = new WeakSet<object>();
  left = LINE_BUDGET;

  text(value: string, max = MAX_LOGGED_CHARS): string {
    if (this.left <= 0) return '[omitted]';
    const out = safeLogText(value, Math.min(max, Math.max(this.left, 64)));
    this.left -= out.length;
    return out;
  }
}

/** Keys the logger writes itself: a field of that name gets a '_' so it cannot pass for them. */
const RESERVED = new Set(['level', 'time', 'msg']);

function cleanFields(fields: Record<string, unknown>): Record<string, unknown> {
  const cleaned = cleanValue(fields, new Walk(), 0);
  if (typeof cleaned !== 'object' || cleaned === null || Array.isArray(cleaned)) return { fields: cleaned };
  return Object.fromEntries(Object.entries(cleaned).map(([k, v]) => [RESERVED.has(k) ? `${k}_` : k, v]));
}

/** A copy of any value with sensitive keys censored, every string scrubbed and capped, and lists cut short. */
function cleanValue(value: unknown, walk: Walk, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return walk.text(value);
    case 'number':
      // A CN mobile passed as a number; other numbers (counts, ms, ports, times) are kept.
      return Number.isInteger(value) && /^1[3-9]\d{9}$/.test(String(value)) ? maskPhone(String(value)) : value;
    case 'bigint':
      return walk.text(String(value));
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (walk.seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  walk.seen.add(value);
  try {
    if (value instanceof Error) return cleanError(value, walk);
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
    if (Array.isArray(value)) {
      const items = value.slice(0, MAX_ENTRIES).map((v) => cleanValue(v, walk, depth + 1) ?? null);
      return value.length > MAX_ENTRIES ? [...items, `[${value.length - MAX_ENTRIES} more]`] : items;
    }
    if (value instanceof Map) return cleanValue(Object.fromEntries([...value].slice(0, MAX_ENTRIES)), walk, depth + 1);
    if (value instanceof Set) return cleanValue([...value].slice(0, MAX_ENTRIES + 1), walk, depth + 1);
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return cleanValue(toJSON.call(value), walk, depth + 1);
    const out: Record<string, unknown> = {};
    const keys = Object.keys(value);
    for (const key of keys.slice(0, MAX_ENTRIES)) {
      const v = (value as Record<string, unknown>)[key];
      out[walk.text(key, 128)] = sensitivity(key) ? censor(key, v, walk) : cleanValue(v, walk, depth + 1);
    }
    if (keys.length > MAX_ENTRIES) out['…'] = `${keys.length - MAX_ENTRIES} more fields`;
    return out;
  } finally {
    walk.seen.delete(value);
  }
}

/** An error as its name, scrubbed message and scrubbed stack (and its cause, the same way), each capped. */
function cleanError(error: Error, walk: Walk): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: walk.text(String(error.name), 128),
    message: walk.text(String(error.message)),
  };
  if (typeof error.stack === 'string') out.stack = walk.text(error.stack);
  if (error.cause !== undefined) out.cause = cleanValue(error.cause, walk, 1);
  return out;
}
