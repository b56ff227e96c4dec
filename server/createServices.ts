import type { Storage } from 'botbuilder';
import { join } from 'node:path';
import type { Config } from '../config';
import { createCatalog, localeFrom } from '../content';
import type { AuditLog } from '../services/audit';
import { readFileSync } from 'node:fs';
import type { BankCore } from '../services/bank';
import { loadBankContract } from '../services/bank/contract';
import { createHttpBankCore } from '../services/bank/http';
import { loadSeed } from '../services/bank/loadSeed';
import { createResilientBank } from '../services/bank/resilientBank';
import { createSqliteBankCore } from '../services/bank/sqlite';
import type { Clock } from '../domain/clock';
import type { HandoffQueue } from '../services/handoff';
import { parseAgentHours, type AgentHours } from '../services/handoff/agentHours';
import {
  createAgentPresence,
  parseAgentTokens,
  type AgentDirectory,
  type AgentPresence,
} from '../services/handoff/agents';
import { holdingTranscripts, type HoldingTranscripts } from '../services/transcripts/holding';
import { startRetentionJob, type RetentionJob } from '../services/transcripts/retentionJob';
import type { AttemptLimiter, RateLimits } from '../services/limits';
import { createTurnClients, type TurnClients } from '../services/limits/turnClient';
import type { Logger } from '../services/platform/log';
import type { NoticeSender } from '../services/notices';
import type { OtpService } from '../services/otp';
import { createSmsGateway } from '../services/sms/createSmsGateway';
import type { SmsGateway } from '../services/sms';
import { createCommitBarrier } from '../services/platform/commitBarrier';
import { createGroupCommit } from '../services/platform/groupCommit';
import { openDatabase, type Db } from '../services/platform/openDatabase';
import { createUnderstanding } from '../services/understanding';
import type { FaqFeedback } from '../services/feedback';
import type { FunnelLog } from '../services/funnel';
import { createMetrics, type Metrics } from '../services/platform/metrics';
import type { Recognizer } from '../domain/recognizer';
import type { Locale } from '../domain/locale';
import { deriveKeys, loadMasterSecret, type Keys } from './secrets';
import { createRedisStores, createSqliteStores } from './stores';
import type { TurnLock } from '../services/platform/turnLock';

export interface Services {
  config: Config;
  clock: Clock;
  keys: Keys;
  db: Db;
  /** The bank core as configured (BANK_PROVIDER): the embedded SQLite bank, or the bank's over HTTP. */
  bank: BankCore;
  /** The same bank for the chart's effects: behind a timeout and a circuit breaker (BANK_* settings). */
  bankForChart: BankCore;
  otp: OtpService;
  sms: SmsGateway;
  notices: NoticeSender;
  identityLimiter: AttemptLimiter;
  /** Message floods, identity checks and code sends (RATE_LIMIT_*), counted for /metrics and audited. */
  rateLimits: RateLimits;
  /** The client (user id, address) of each conversation's turn under way, for the effects' rate limits. */
  turnClients: TurnClients;
  /** The live queue of conversations waiting for (or with) a person. */
  queue: HandoffQueue;
  agents: AgentDirectory;
  presence: AgentPresence;
  agentHours: AgentHours;
  /** Masked transcripts; a turn's customer line is held until the bot's answer (holding.ts). */
  transcripts: HoldingTranscripts;
  /** Deletes transcripts (and ticket copies) older than TRANSCRIPT_RETENTION_DAYS: now, then hourly. */
  retention: RetentionJob;
  turnLock: TurnLock;
  /** With several instances: claims a queue event so that one instance delivers it. */
  claimDelivery?: (eventId: string) => Promise<boolean>;
  /** Resolves once queue events published so far have reached this instance's listeners. */
  queueHeard(): Promise<void>;
  /** Counts what it records for the metrics (codes sent, handoffs requested). */
  audit: AuditLog;
  feedback: FaqFeedback;
  /** Funnel events, one per turn that shows a step (`npm run report:funnel`). */
  funnel: FunnelLog;
  /** This instance's Prometheus registry and counters (GET /metrics). */
  metrics: Metrics;
  storage: Storage;
  /**
   * Resolves when every write made so far is committed and on disk (SQLite's group commit, see
   * services/platform/groupCommit.ts; nothing to wait for on Redis); rejects when a write made after
   * `since` (a `mark()`) was lost. Awaited before a reply or a text message leaves the process.
   */
  durable: (since?: number) => Promise<void>;
  mark: () => number;
  recognizer: Recognizer;
  render: (locale: Locale, key: string, params?: Record<string, string | number>) => string;
  localeOf: (activityLocale?: unknown) => Locale;
  logger: Logger;
  close(): void;
}

/** What tests (and other deployments) may replace. */
export interface ServiceOverrides {
  clock?: Clock;
  /** The code generator: CSPRNG by default. */
  random?: (max: number) => number;
  sms?: SmsGateway;
  storage?: Storage;
  /** Throw on a missing message key or parameter (tests), instead of falling back. */
  strictContent?: boolean;
  /** Where the trained language model is cached: DATA_DIR by default. */
  nluCacheDir?: string;
}

/**
 * Builds every service from the configuration. Two SQLite files in DATA_DIR: the bot's own
 * (conversation state, codes, limits, audit, handoffs) and the embedded bank core.
 */
export async function createServices(
  config: Config,
  logger: Logger,
  overrides: ServiceOverrides = {},
): Promise<Services> {
  const clock = overrides.clock ?? Date.now;
  const keys = deriveKeys(loadMasterSecret(config.SECRET_KEY, config.DATA_DIR));
  const dbFile = join(config.DATA_DIR, 'rebind.sqlite');
  const connection = openDatabase(dbFile);
  // On one machine the writes of turns running together share one commit and one sync of the disk,
  // awaited before anything is sent (services/platform/groupCommit.ts). On Redis this file holds
  // nothing of a turn's.
  const group = config.STORAGE === 'sqlite' ? createGroupCommit(connection, dbFile) : undefined;
  const db = group?.db ?? connection;
  const { bank, close: closeBank } = await createBank(config, logger, clock);

  const gateway =
    overrides.sms ??
    createSmsGateway(
      {
        provider: config.SMS_PROVIDER,
        outboxPath: config.SMS_OUTBOX_PATH,
        httpUrl: config.SMS_HTTP_URL,
        timeoutMs: config.SMS_HTTP_TIMEOUT_MS,
        retries: config.SMS_RETRIES,
      },
      { clock },
    );
  // A text message leaves the process only after what led to it is on disk: the code's hash and its
  // count, a notice's claim (a crash after the send must not send it again, nor lose the code).
  const sms: SmsGateway = group
    ? {
        async send(message) {
          await group.durable();
          await gateway.send(message);
        },
      }
    : gateway;
  const catalog = createCatalog({
    strict: overrides.strictContent ?? false,
    onMissing: (missing) => logger.warn('message missing from the locale files', { ...missing }),
  });
  // Values every message may use, from the configuration (e.g. the knowledge base's code rules).
  const globals = {
    ttlMinutes: Math.max(1, Math.round(config.OTP_TTL_SECONDS / 60)),
    resendSeconds: config.OTP_RESEND_COOLDOWN_SECONDS,
    maxAttempts: config.OTP_MAX_ATTEMPTS,
    lockMinutes: config.OTP_LOCK_MINUTES,
    maxPerHour: config.OTP_MAX_PER_HOUR,
    maxPerDay: config.OTP_MAX_PER_DAY,
  };

  const { classifier, recognizer } = await createUnderstanding({ cacheDir: overrides.nluCacheDir ?? config.DATA_DIR });
  logger.info('language model ready', { from: classifier.origin.from, ms: classifier.origin.ms });

  const presence = createAgentPresence();
  const storeDeps = {
    config,
    keys,
    db,
    sms,
    clock,
    logger,
    agentsOnline: () => presence.online(),
    ...(overrides.random ? { random: overrides.random } : {}),
  };
  const stores = config.STORAGE === 'redis' ? await createRedisStores(storeDeps) : await createSqliteStores(storeDeps);
  logger.info('stores ready', { storage: config.STORAGE });
  const metrics = createMetrics();
  const audit = metrics.countAudit(stores.audit);
  // Started here, with the stores, never at import; stopped by close().
  const retention = startRetentionJob({
    transcripts: stores.transcripts,
    queue: stores.queue,
    retentionDays: config.TRANSCRIPT_RETENTION_DAYS,
    clock,
    logger,
  });

  return {
    config,
    clock,
    keys,
    db,
    bank,
    bankForChart: createResilientBank(bank, {
      timeoutMs: config.BANK_TIMEOUT_MS,
      breakerFailures: config.BANK_BREAKER_FAILURES,
      cooldownMs: config.BANK_BREAKER_COOLDOWN_SECONDS * 1000,
      onStateChange: (state) => (state === 'closed' ? logger.info : logger.warn)('bank core circuit breaker', { state }),
      // Which call, and why: unreachable, refused (with the status) or malformed (an answer that breaks
      // docs/bank-api.yaml) over HTTP; never what was asked.
      onFailure: (call, error) => {
        const cause = error.cause as { failure?: unknown; status?: unknown } | undefined;
        logger.warn('bank call failed', {
          call,
          reason: error.reason,
          ...(typeof cause?.failure === 'string' ? { failure: cause.failure } : {}),
          ...(typeof cause?.status === 'number' ? { status: cause.status } : {}),
        });
      },
    }),
    sms,
    otp: stores.otp,
    notices: stores.notices,
    identityLimiter: stores.identityLimiter,
    rateLimits: metrics.countRateLimits(auditFloods(stores.rateLimits, audit)),
    turnClients: createTurnClients(),
    queue: stores.queue,
    agents: parseAgentTokens(config.AGENT_TOKENS),
    presence,
    agentHours: parseAgentHours(config.AGENT_HOURS, config.AGENT_TIMEZONE),
    // The customer's line of a turn is written with the bot's answer, in one write (holding.ts).
    transcripts: holdingTranscripts(stores.transcripts),
    retention,
    audit,
    feedback: stores.feedback,
    funnel: stores.funnel,
    metrics,
    storage: overrides.storage ?? stores.storage,
    mark: () => group?.mark() ?? 0,
    durable: (since) => group?.durable(since) ?? Promise.resolve(),
    turnLock: stores.turnLock,
    queueHeard: () => stores.queueHeard(),
    ...(stores.claimDelivery ? { claimDelivery: stores.claimDelivery } : {}),
    recognizer,
    render: (locale, key, params) => catalog.render(locale, key, { ...globals, ...params }),
    localeOf: localeFrom,
    logger,
    close() {
      void retention.stop();
      stores.close();
      void group?.close();
      connection.close();
      closeBank();
    },
  };
}

/**
 * The bank core (BANK_PROVIDER): the embedded demo bank in DATA_DIR/bank.sqlite, seeded once from
 * BANK_SEED_PATH; or the bank's own core over HTTP (docs/bank-api.yaml), its contract read once here.
 * A call may be tried three times (services/bank/http.ts), so each attempt gets a third of the time a
 * bank call may take (BANK_TIMEOUT_MS).
 */
async function createBank(config: Config, logger: Logger, clock: Clock): Promise<{ bank: BankCore; close(): void }> {
  if (config.BANK_PROVIDER === 'http') {
    const pem = (path: string | undefined) => (path ? readFileSync(path) : undefined);
    const ca = pem(config.BANK_HTTP_CA);
    const cert = pem(config.BANK_HTTP_CERT);
    const key = pem(config.BANK_HTTP_KEY);
    const bank = createHttpBankCore({
      url: config.BANK_HTTP_URL as string,
      ...(config.BANK_HTTP_TOKEN ? { token: config.BANK_HTTP_TOKEN } : {}),
      ...(ca || cert || key ? { tls: { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) } } : {}),
      contract: await loadBankContract(),
      attemptTimeoutMs: Math.max(100, Math.floor(config.BANK_TIMEOUT_MS / 3) - 100),
      retries: 2,
    });
    logger.info('bank core over http', { mutualTls: cert !== undefined });
    return { bank, close: () => undefined };
  }
  const bankFile = join(config.DATA_DIR, 'bank.sqlite');
  const bankDb = openDatabase(bankFile);
  // A change is synced to disk on libuv's thread pool, not on the event loop, before it is answered.
  const synced = createCommitBarrier(bankDb, bankFile);
  const bank = createSqliteBankCore({ db: bankDb, clock, durable: () => synced.durable() });
  if (bank.isEmpty()) {
    bank.seed(loadSeed(config.BANK_SEED_PATH));
    logger.info('bank seeded', { from: config.BANK_SEED_PATH });
  }
  return {
    bank,
    close: () => {
      void synced.close();
      bankDb.close();
    },
  };
}

/**
 * Audits the first message over the flood limit in each window (`limit.reached`). Refused identity
 * checks and code sends are audited where they happen, with the card and number they were for.
 */
function auditFloods(limits: RateLimits, audit: AuditLog): RateLimits {
  return {
    async consume(action, keys) {
      const decision = await limits.consume(action, keys);
      if (!decision.allowed && decision.first && action === 'messages' && keys.conversation) {
        await audit.record('limit.reached', keys.conversation, { action, scope: decision.scope });
      }
      return decision;
    },
  };
}
