import type { Storage } from 'botbuilder';
import { join } from 'node:path';
import type { Config } from '../config';
import { createCatalog, localeFrom } from '../content';
import zhCN from '../content/zh-CN.json';
import enUS from '../content/en-US.json';
import { createAuditLog, type AuditLog } from '../services/audit';
import { createSqliteBankCore, loadSeed, type SqliteBankCore } from '../services/bank';
import type { Clock } from '../services/clock';
import {
  createAgentPresence,
  asyncQueue,
  createSqliteHandoffQueue,
  parseAgentHours,
  parseAgentTokens,
  type AgentDirectory,
  type AgentHours,
  type AgentPresence,
  type HandoffQueue,
} from '../services/handoff';
import { createTranscriptStore, type TranscriptStore } from '../services/transcripts';
import { asyncLimiter, createSqliteAttemptLimiter, type AttemptLimiter } from '../services/limits';
import type { Logger } from '../services/log';
import { createNoticeSender, type NoticeSender } from '../services/notify';
import { createOtpService } from '../services/otp';
import type { OtpService } from '../services/otp/types';
import { createSmsGateway } from '../services/sms';
import type { SmsGateway } from '../services/sms/types';
import { openDatabase, type Db } from '../services/sqlite/openDatabase';
import { createSqliteStorage } from '../services/storage';
import {
  buttonLabelsFrom,
  createKeywordRecognizer,
  createNlpClassifier,
  createNluRecognizer,
  topicTitlesFrom,
  trainingSet,
} from '../services/understanding';
import { createFaqFeedback, type FaqFeedback } from '../services/feedback';
import type { Recognizer } from '../dialogs/recognizer';
import type { Locale } from '../dialogs/types';
import { deriveKeys, loadMasterSecret, type Keys } from './secrets';

export interface Services {
  config: Config;
  clock: Clock;
  keys: Keys;
  db: Db;
  bankDb: Db;
  bank: SqliteBankCore;
  otp: OtpService;
  sms: SmsGateway;
  notices: NoticeSender;
  identityLimiter: AttemptLimiter;
  /** The live queue of conversations waiting for (or with) a person. */
  queue: HandoffQueue;
  agents: AgentDirectory;
  presence: AgentPresence;
  agentHours: AgentHours;
  transcripts: TranscriptStore;
  audit: AuditLog;
  feedback: FaqFeedback;
  storage: Storage;
  recognizer: Recognizer;
  render: (locale: Locale, key: string, params?: Record<string, string | number>) => string;
  localeOf: (activityLocale?: string) => Locale;
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
  const db = openDatabase(join(config.DATA_DIR, 'rebind.sqlite'));
  const bankDb = openDatabase(join(config.DATA_DIR, 'bank.sqlite'));

  const bank = createSqliteBankCore({ db: bankDb, clock });
  if (bank.isEmpty()) {
    bank.seed(loadSeed(config.BANK_SEED_PATH));
    logger.info('bank seeded', { from: config.BANK_SEED_PATH });
  }

  const otp = createOtpService({
    db,
    secret: keys.otp,
    clock,
    ...(overrides.random ? { random: overrides.random } : {}),
    ttlSeconds: config.OTP_TTL_SECONDS,
    maxAttempts: config.OTP_MAX_ATTEMPTS,
    lockMinutes: config.OTP_LOCK_MINUTES,
    resendCooldownSeconds: config.OTP_RESEND_COOLDOWN_SECONDS,
    maxPerHourPerNumber: config.OTP_MAX_PER_HOUR,
    maxPerDayPerNumber: config.OTP_MAX_PER_DAY,
  });
  const sms =
    overrides.sms ?? createSmsGateway({ provider: config.SMS_PROVIDER, outboxPath: config.SMS_OUTBOX_PATH }, { clock });
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

  const classifier = await createNlpClassifier({
    training: trainingSet(),
    cacheDir: overrides.nluCacheDir ?? config.DATA_DIR,
  });
  logger.info('language model ready', { from: classifier.origin.from, ms: classifier.origin.ms });
  const recognizer = createNluRecognizer({
    classifier,
    keywords: createKeywordRecognizer({
      buttonLabels: buttonLabelsFrom([zhCN, enUS]),
      topicTitles: topicTitlesFrom([zhCN, enUS]),
    }),
  });

  const presence = createAgentPresence();
  const queue = asyncQueue(
    createSqliteHandoffQueue({
      db,
      clock,
      averageHandleMinutes: config.HANDOFF_AVERAGE_MINUTES,
      agentsOnline: () => presence.online(),
    }),
  );

  return {
    config,
    clock,
    keys,
    db,
    bankDb,
    bank,
    otp,
    sms,
    notices: createNoticeSender({ db, sms, clock }),
    identityLimiter: asyncLimiter(
      createSqliteAttemptLimiter({
        db,
        scope: 'identity',
        maxAttempts: config.IDENTITY_MAX_ATTEMPTS,
        lockMs: config.IDENTITY_LOCK_MINUTES * 60_000,
        clock,
      }),
    ),
    queue,
    agents: parseAgentTokens(config.AGENT_TOKENS),
    presence,
    agentHours: parseAgentHours(config.AGENT_HOURS, config.AGENT_TIMEZONE),
    transcripts: createTranscriptStore({ db, clock }),
    audit: createAuditLog({ db, clock }),
    feedback: createFaqFeedback({ db, clock }),
    storage: overrides.storage ?? createSqliteStorage({ db, encryptionKey: keys.state, clock }),
    recognizer,
    render: (locale, key, params) => catalog.render(locale, key, { ...globals, ...params }),
    localeOf: localeFrom,
    logger,
    close() {
      db.close();
      bankDb.close();
    },
  };
}
