import { z } from 'zod';
import { join } from 'node:path';
import { AgentHoursError, parseAgentHours } from '../services/handoff/agentHours';
import { AgentTokensError, parseAgentTokens } from '../services/handoff/agents';
import { RATE_LIMIT_DEFAULTS, RateRulesError, parseRateRules, type RateAction } from '../services/limits/rateRules';

const int = (def: number, min = 1, max = 1_000_000) => z.coerce.number().int().min(min).max(max).default(def);

/** Every setting, with its default. Names are a stable interface: documented in docs/configuration.md and .env.example. */
const schema = z.object({
  PORT: int(3978, 0, 65535),
  MicrosoftAppId: z.string().default(''),
  MicrosoftAppPassword: z.string().default(''),
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MicrosoftAppTenantId: z.string().default(''),
  /**
   * The SDK's own settings for where the signing keys of incoming tokens are published (a sovereign
   * cloud, or a test's key server); unset means the public Azure ones.
   */
  ToBotFromChannelOpenIdMetadataUrl: z.string().url().optional(),
  ToBotFromEmulatorOpenIdMetadataUrl: z.string().url().optional(),
  DATA_DIR: z.string().default('./var'),
  /** sqlite: one machine (embedded, the default). redis: several instances sharing REDIS_URL. */
  STORAGE: z.enum(['sqlite', 'redis']).default('sqlite'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'REDIS_URL must look like redis://host:6379 (or rediss:// for TLS)')
    .optional(),
  /** Every key the bot writes in Redis starts with this, so one Redis can serve several bots. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_.-]{1,40}$/, 'REDIS_PREFIX: letters, digits and :_.- only').default('rebind:'),
  BANK_SEED_PATH: z.string().default('data/demo-bank.json'),
  SMS_PROVIDER: z.enum(['outbox', 'console', 'http']).default('outbox'),
  SMS_OUTBOX_PATH: z.string().optional(),
  /** SMS_PROVIDER=http: the gateway's URL; each message is POSTed as the outbox line's JSON. */
  SMS_HTTP_URL: z.string().url().optional(),
  SMS_HTTP_TIMEOUT_MS: int(3000, 100, 60_000),
  /** Retries after a failed or timed-out send (with backoff), before the customer is told. */
  SMS_RETRIES: int(2, 0, 5),
  /**
   * The bank core: `embedded` (the demo bank in DATA_DIR/bank.sqlite, seeded from BANK_SEED_PATH) or
   * `http` (the bank's own core over docs/bank-api.yaml at BANK_HTTP_URL).
   */
  BANK_PROVIDER: z.enum(['embedded', 'http']).default('embedded'),
  BANK_HTTP_URL: z.string().url().optional(),
  /** Sent as a bearer token on every bank call. */
  BANK_HTTP_TOKEN: z.string().optional(),
  /** Mutual TLS with the bank: PEM files of the CA to trust and of the bot's client certificate and key. */
  BANK_HTTP_CA: z.string().optional(),
  BANK_HTTP_CERT: z.string().optional(),
  BANK_HTTP_KEY: z.string().optional(),
  /** The bank core: how long one call may take, and the circuit breaker around it. */
  BANK_TIMEOUT_MS: int(5000, 100, 15_000),
  BANK_BREAKER_FAILURES: int(5, 1, 100),
  BANK_BREAKER_COOLDOWN_SECONDS: int(30, 1, 3600),
  OTP_TTL_SECONDS: int(300, 30, 3600),
  OTP_MAX_ATTEMPTS: int(5, 1, 20),
  OTP_LOCK_MINUTES: int(30, 1, 24 * 60),
  OTP_RESEND_COOLDOWN_SECONDS: int(60, 1, 3600),
  OTP_MAX_PER_HOUR: int(5, 1, 100),
  OTP_MAX_PER_DAY: int(10, 1, 1000),
  IDENTITY_MAX_ATTEMPTS: int(3, 1, 20),
  IDENTITY_LOCK_MINUTES: int(30, 1, 24 * 60),
  SESSION_IDLE_MINUTES: int(30, 1, 24 * 60),
  LOCAL_DIRECT_LINE: z.enum(['on', 'off']).default('on'),
  DIRECT_LINE_TOKEN_MINUTES: int(30, 1, 24 * 60),
  /**
   * Behind Azure Bot Service: the Direct Line channel's secret, exchanged for the widget's tokens at
   * POST /api/directline/token (the page never holds it), and where Azure's Direct Line is.
   */
  DIRECT_LINE_SECRET: z.string().optional(),
  DIRECT_LINE_ENDPOINT: z
    .string()
    .url()
    .regex(/^https?:\/\//, 'DIRECT_LINE_ENDPOINT must be an http(s) URL')
    .default('https://directline.botframework.com/v3/directline'),
  /** Other sites of the bank that embed the widget (comma-separated origins), for CORS. */
  WIDGET_ORIGINS: z
    .string()
    .regex(/^https?:\/\/[^,\s/]+(,\s*https?:\/\/[^,\s/]+)*$/, 'WIDGET_ORIGINS must be origins like https://bank.example, comma-separated')
    .optional(),
  SECRET_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64,}$/, 'SECRET_KEY must be at least 64 hex characters (32 bytes)')
    .optional(),
  /** Agents who may sign in to /agent: comma-separated `id:name:token`. Empty: nobody. */
  AGENT_TOKENS: z.string().optional(),
  /** When people answer, e.g. `Mon-Fri 09:00-18:00; Sat 10:00-16:00`, in AGENT_TIMEZONE. */
  AGENT_HOURS: z.string().default('Mon-Sun 00:00-24:00'),
  AGENT_TIMEZONE: z.string().default('Asia/Shanghai'),
  /** queue: our own queue and console; protocol: the channel's agent hub (Bot Framework handoff events). */
  HANDOFF_MODE: z.enum(['queue', 'protocol']).default('queue'),
  /** Minutes an agent spends per customer, for the wait shown to people in the queue. */
  HANDOFF_AVERAGE_MINUTES: int(5, 1, 240),
  /** Rate limits, `scope:count/window` comma-separated (see services/limits/rateRules.ts), or `off`. */
  RATE_LIMIT_MESSAGES: z.string().default(RATE_LIMIT_DEFAULTS.messages),
  RATE_LIMIT_IDENTITY: z.string().default(RATE_LIMIT_DEFAULTS.identity),
  RATE_LIMIT_CODES: z.string().default(RATE_LIMIT_DEFAULTS.codes),
  /** 0: the client IP is the socket's. n: the n-th address from the right of X-Forwarded-For (n proxies we run). */
  TRUST_PROXY_HOPS: int(0, 0, 10),
  /** Masked transcripts (and the copies on agent tickets) older than this are deleted. */
  TRANSCRIPT_RETENTION_DAYS: int(30, 1, 3650),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export type RawConfig = z.infer<typeof schema>;
export interface Config extends Omit<RawConfig, 'SMS_OUTBOX_PATH'> {
  SMS_OUTBOX_PATH: string;
}

export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** Reads and checks the settings. Empty values count as unset. Throws ConfigError naming each bad one. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(schema.shape)
      .map((k) => [k, env[k]?.trim()])
      .filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`, { cause: parsed.error });
  }
  const c = parsed.data;
  if (c.STORAGE === 'redis' && !c.REDIS_URL) {
    throw new ConfigError('Invalid configuration:\n  REDIS_URL: required when STORAGE=redis');
  }
  // A turn's effects must finish within the turn's 20 s: every SMS attempt and its backoff (≤ 2 s each).
  if (c.SMS_HTTP_TIMEOUT_MS * (1 + c.SMS_RETRIES) + 2000 * c.SMS_RETRIES > 18_000) {
    throw new ConfigError(
      'Invalid configuration:\n  SMS_HTTP_TIMEOUT_MS: with SMS_RETRIES, all attempts must fit in 18 s (one turn)',
    );
  }
  if (c.SMS_PROVIDER === 'http' && !c.SMS_HTTP_URL) {
    throw new ConfigError('Invalid configuration:\n  SMS_HTTP_URL: required when SMS_PROVIDER=http');
  }
  if (c.BANK_PROVIDER === 'http' && !c.BANK_HTTP_URL) {
    throw new ConfigError('Invalid configuration:\n  BANK_HTTP_URL: required when BANK_PROVIDER=http');
  }
  if (Boolean(c.BANK_HTTP_CERT) !== Boolean(c.BANK_HTTP_KEY)) {
    throw new ConfigError('Invalid configuration:\n  BANK_HTTP_CERT: BANK_HTTP_CERT and BANK_HTTP_KEY go together (mutual TLS)');
  }
  if (c.MicrosoftAppId && !c.MicrosoftAppPassword && c.MicrosoftAppType !== 'UserAssignedMSI') {
    throw new ConfigError('Invalid configuration:\n  MicrosoftAppPassword: required when MicrosoftAppId is set');
  }
  const rateSettings = [
    ['RATE_LIMIT_MESSAGES', 'messages'],
    ['RATE_LIMIT_IDENTITY', 'identity'],
    ['RATE_LIMIT_CODES', 'codes'],
  ] as const satisfies readonly (readonly [keyof RawConfig, RateAction])[];
  for (const [name, action] of rateSettings) {
    try {
      parseRateRules(c[name], action);
    } catch (err) {
      if (err instanceof RateRulesError) throw new ConfigError(`Invalid configuration:\n  ${name}: ${err.message}`);
      throw err;
    }
  }
  try {
    parseAgentTokens(c.AGENT_TOKENS);
  } catch (err) {
    if (err instanceof AgentTokensError) throw new ConfigError(`Invalid configuration:\n  AGENT_TOKENS: ${err.message}`);
    throw err;
  }
  try {
    parseAgentHours(c.AGENT_HOURS, c.AGENT_TIMEZONE);
  } catch (err) {
    if (err instanceof AgentHoursError) {
      const name = err.part === c.AGENT_TIMEZONE ? 'AGENT_TIMEZONE' : 'AGENT_HOURS';
      throw new ConfigError(`Invalid configuration:\n  ${name}: ${err.message}`);
    }
    throw err;
  }
  return { ...c, SMS_OUTBOX_PATH: c.SMS_OUTBOX_PATH ?? join(c.DATA_DIR, 'sms-outbox.jsonl') };
}
