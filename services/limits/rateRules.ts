/**
 * Rate-limit rules as written in the environment: `scope:count/window`, comma-separated, e.g.
 * `conversation:20/1m,user:40/1m,ip:120/1m`. Windows are `<n>s`, `<n>m`, `<n>h` or `<n>d`.
 * `off` turns every rule of a setting off; a scope left out is not limited.
 */

/** Who a limit counts for. `card` is a keyed hash of the card number, never the number. */
export type RateScope = 'conversation' | 'user' | 'ip' | 'card';

/** What is being counted. */
export type RateAction = 'messages' | 'identity' | 'codes';

export interface RateRule {
  scope: RateScope;
  /** How many are allowed in one window. */
  points: number;
  windowSeconds: number;
}

/** The scopes each action may be limited by: messages carry no card. */
export const SCOPES_OF: Record<RateAction, readonly RateScope[]> = {
  messages: ['conversation', 'user', 'ip'],
  identity: ['conversation', 'user', 'ip', 'card'],
  codes: ['conversation', 'user', 'ip', 'card'],
};

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const RULE = /^(\w+):(\d{1,6})\/(\d{1,4})([smhd])$/;

export class RateRulesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RateRulesError';
  }
}

/** Parses one setting; throws a RateRulesError that says what is wrong, for the config's message. */
export function parseRateRules(text: string, action: RateAction): RateRule[] {
  const trimmed = text.trim();
  if (trimmed === 'off') return [];
  const allowed = SCOPES_OF[action];
  const rules: RateRule[] = [];
  for (const part of trimmed.split(',').map((p) => p.trim())) {
    const m = RULE.exec(part);
    if (!m) throw new RateRulesError(`"${part}" is not scope:count/window (e.g. ip:120/1m), or off`);
    const [, scope, count, n, unit] = m as unknown as [string, string, string, string, keyof typeof UNIT_SECONDS];
    if (!allowed.includes(scope as RateScope)) {
      throw new RateRulesError(`"${scope}" is not one of ${allowed.join(', ')}`);
    }
    if (rules.some((r) => r.scope === scope)) throw new RateRulesError(`"${scope}" is given twice`);
    const points = Number(count);
    const windowSeconds = Number(n) * UNIT_SECONDS[unit];
    if (points < 1 || windowSeconds < 1) throw new RateRulesError(`"${part}": count and window must be at least 1`);
    if (windowSeconds > 7 * UNIT_SECONDS.d) throw new RateRulesError(`"${part}": a window may be 7 days at most`);
    rules.push({ scope: scope as RateScope, points, windowSeconds });
  }
  return rules;
}

/** The defaults: generous for a person, tight for a script. */
export const RATE_LIMIT_DEFAULTS: Record<RateAction, string> = {
  messages: 'conversation:20/1m,user:40/1m,ip:120/1m',
  identity: 'conversation:6/1h,user:6/1h,ip:30/1h,card:10/1d',
  codes: 'conversation:8/1h,user:8/1h,ip:40/1h,card:12/1d',
};

export type RateRuleSet = Record<RateAction, RateRule[]>;

/** The three settings, parsed (the config has already checked them). */
export function rateRulesFrom(settings: Record<RateAction, string>): RateRuleSet {
  return {
    messages: parseRateRules(settings.messages, 'messages'),
    identity: parseRateRules(settings.identity, 'identity'),
    codes: parseRateRules(settings.codes, 'codes'),
  };
}
