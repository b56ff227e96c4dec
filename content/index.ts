/**
 * The message catalogues: every sentence the bot says, by key, in zh-CN (primary) and en-US.
 * The chart emits `{ key, params }`; the bot renders it here with the conversation's locale.
 */
import type { Locale } from '../domain/locale';
import enUS from './en-US.json';
import zhCN from './zh-CN.json';

export type { Locale } from '../domain/locale';

export type MessageParams = Record<string, string | number>;

/** A key missing from a catalogue, or a `{param}` the caller did not supply (strict mode only). */
export class MissingMessageError extends Error {
  override readonly name = 'MissingMessageError';

  constructor(
    readonly locale: Locale,
    readonly key: string,
    /** Set when the key exists but this placeholder had no value. */
    readonly param?: string,
  ) {
    super(
      param === undefined
        ? `message '${key}' is missing from the ${locale} catalogue`
        : `message '${key}' (${locale}) needs the parameter '${param}'`,
    );
  }
}

export interface Catalog {
  /** The text for `key` in `locale`, with `{name}` placeholders replaced by `params`. */
  render(locale: Locale, key: string, params?: MessageParams): string;
  has(locale: Locale, key: string): boolean;
  keys(locale: Locale): string[];
}

/** What was missing when a non-strict catalogue fell back; for logging at the root. */
export interface MissingMessage {
  locale: Locale;
  key: string;
  param?: string;
}

export interface CatalogOptions {
  /**
   * Throw MissingMessageError for a missing key or parameter (tests, development). Otherwise a
   * missing key falls back to the zh-CN text, then to 'error.turn'; a missing parameter renders as ''.
   */
  strict?: boolean;
  /** Told about every fallback in non-strict mode, so a gap is never silent. */
  onMissing?: (missing: MissingMessage) => void;
  /** The catalogues; the JSON files by default. For tests. */
  messages?: Record<Locale, Record<string, string>>;
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

const FALLBACK_LOCALE: Locale = 'zh-CN';
const FALLBACK_KEY = 'error.turn';

const catalogues: Record<Locale, Record<string, string>> = {
  'zh-CN': zhCN,
  'en-US': enUS,
};

/** The `{name}` placeholders used in a message, in order of first use. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

export function createCatalog({
  strict = false,
  onMissing = () => {},
  messages: sources = catalogues,
}: CatalogOptions = {}): Catalog {
  // Maps, not the JSON objects: a key like 'constructor' must not find Object.prototype.
  const messages = new Map<Locale, Map<string, string>>(
    (Object.keys(sources) as Locale[]).map((locale) => [locale, new Map(Object.entries(sources[locale]))]),
  );
  const lookup = (locale: Locale, key: string): string | undefined => messages.get(locale)?.get(key);

  function template(locale: Locale, key: string): string {
    const text = lookup(locale, key);
    if (text !== undefined) return text;
    if (strict) throw new MissingMessageError(locale, key);
    onMissing({ locale, key });
    return lookup(FALLBACK_LOCALE, key) ?? lookup(locale, FALLBACK_KEY) ?? lookup(FALLBACK_LOCALE, FALLBACK_KEY) ?? '';
  }

  return {
    render(locale, key, params = {}) {
      // One pass: a value that itself contains "{x}" is inserted as text, not expanded again.
      return template(locale, key).replace(PLACEHOLDER, (_, name: string) => {
        if (Object.hasOwn(params, name)) return String(params[name]);
        if (strict) throw new MissingMessageError(locale, key, name);
        onMissing({ locale, key, param: name });
        return '';
      });
    },
    has(locale, key) {
      return lookup(locale, key) !== undefined;
    },
    keys(locale) {
      return [...(messages.get(locale)?.keys() ?? [])];
    },
  };
}

/**
 * The catalogue locale for a Bot Framework activity's locale: any English → en-US, else zh-CN. Takes
 * whatever the activity carries: a value that is not a string counts as no locale.
 */
export function localeFrom(activityLocale?: unknown): Locale {
  return typeof activityLocale === 'string' && activityLocale.trim().toLowerCase().startsWith('en') ? 'en-US' : 'zh-CN';
}
