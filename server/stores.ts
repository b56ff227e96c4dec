import type { Storage } from 'botbuilder';
import type { Config } from '../config';
import type { Clock } from '../domain/clock';
import type { AuditLog } from '../services/audit';
import { createRedisAuditLog } from '../services/audit/redis';
import { createSqliteAuditLog } from '../services/audit/sqlite';
import type { FaqFeedback } from '../services/feedback';
import { createRedisFaqFeedback } from '../services/feedback/redis';
import { createSqliteFaqFeedback } from '../services/feedback/sqlite';
import type { FunnelLog } from '../services/funnel';
import { createRedisFunnelLog } from '../services/funnel/redis';
import { createSqliteFunnelLog } from '../services/funnel/sqlite';
import type { HandoffQueue } from '../services/handoff';
import { createRedisDeliveryClaims, createRedisHandoffQueue } from '../services/handoff/redis';
import { asyncQueue, createSqliteHandoffQueue } from '../services/handoff/sqlite';
import type { AttemptLimiter, RateLimits } from '../services/limits';
import { rateRulesFrom } from '../services/limits/rateRules';
import { createRedisRateLimits, createRedisAttemptLimiter } from '../services/limits/redis';
import { asyncLimiter, createSqliteAttemptLimiter, createSqliteRateLimits } from '../services/limits/sqlite';
import type { NoticeSender } from '../services/notices';
import { createRedisNoticeSender } from '../services/notices/redis';
import { createSqliteNoticeSender } from '../services/notices/sqlite';
import type { OtpService } from '../services/otp';
import { createRedisOtpService } from '../services/otp/redis';
import { createSqliteOtpService } from '../services/otp/sqlite';
import type { Logger } from '../services/platform/log';
import type { Db } from '../services/platform/openDatabase';
import { connectRedis, whenReady } from '../services/platform/redisClient';
import { createRedisTurnLock, localTurnLock, type TurnLock } from '../services/platform/turnLock';
import type { SmsGateway } from '../services/sms';
import { createRedisStorage } from '../services/storage/redis';
import { createSqliteStorage } from '../services/storage/sqlite';
import type { TranscriptStore } from '../services/transcripts';
import { createRedisTranscriptStore } from '../services/transcripts/redis';
import { createSqliteTranscriptStore } from '../services/transcripts/sqlite';
import type { Keys } from './secrets';

/** Everything the bot keeps that several instances must share: one implementation per STORAGE. */
export interface Stores {
  storage: Storage;
  otp: OtpService;
  notices: NoticeSender;
  identityLimiter: AttemptLimiter;
  /** Message floods, identity checks and code sends per conversation, user, client IP and card. */
  rateLimits: RateLimits;
  queue: HandoffQueue;
  transcripts: TranscriptStore;
  audit: AuditLog;
  feedback: FaqFeedback;
  /** How far changes get (per turn, by conversation hash): `npm run report:funnel`. */
  funnel: FunnelLog;
  /** One turn at a time per conversation across instances (a no-op on one machine). */
  turnLock: TurnLock;
  /** Every instance hears every queue event; the one that claims an event delivers it. */
  claimDelivery?: (eventId: string) => Promise<boolean>;
  /** Resolves once queue events published so far have reached this instance (tests, shutdown). */
  queueHeard(): Promise<void>;
  close(): void;
}

export interface StoreDeps {
  config: Config;
  keys: Keys;
  db: Db;
  sms: SmsGateway;
  clock: Clock;
  logger: Logger;
  /** Agents online now, for wait estimates. */
  agentsOnline: () => number;
  /** The code generator (tests make it reproducible). */
  random?: (max: number) => number;
}

const otpSettings = (config: Config) => ({
  ttlSeconds: config.OTP_TTL_SECONDS,
  maxAttempts: config.OTP_MAX_ATTEMPTS,
  lockMinutes: config.OTP_LOCK_MINUTES,
  resendCooldownSeconds: config.OTP_RESEND_COOLDOWN_SECONDS,
  maxPerHourPerNumber: config.OTP_MAX_PER_HOUR,
  maxPerDayPerNumber: config.OTP_MAX_PER_DAY,
});

const rateRules = (config: Config) =>
  rateRulesFrom({ messages: config.RATE_LIMIT_MESSAGES, identity: config.RATE_LIMIT_IDENTITY, codes: config.RATE_LIMIT_CODES });

/** One machine: everything in rebind.sqlite. */
export async function createSqliteStores({ config, keys, db, sms, clock, agentsOnline, random }: StoreDeps): Promise<Stores> {
  return {
    storage: createSqliteStorage({ db, encryptionKey: keys.state, clock }),
    otp: createSqliteOtpService({ db, secret: keys.otp, clock, ...(random ? { random } : {}), ...otpSettings(config) }),
    notices: createSqliteNoticeSender({ db, sms, clock }),
    identityLimiter: asyncLimiter(
      createSqliteAttemptLimiter({
        db,
        scope: 'identity',
        maxAttempts: config.IDENTITY_MAX_ATTEMPTS,
        lockMs: config.IDENTITY_LOCK_MINUTES * 60_000,
        clock,
      }),
    ),
    rateLimits: await createSqliteRateLimits(rateRules(config), keys.limits, db),
    queue: asyncQueue(
      createSqliteHandoffQueue({ db, clock, averageHandleMinutes: config.HANDOFF_AVERAGE_MINUTES, agentsOnline }),
    ),
    transcripts: createSqliteTranscriptStore({ db, clock }),
    audit: createSqliteAuditLog({ db, key: keys.audit, clock }),
    feedback: createSqliteFaqFeedback({ db, clock }),
    funnel: createSqliteFunnelLog({ db }),
    turnLock: localTurnLock,
    // The local bus calls listeners as each change is made.
    queueHeard: async () => undefined,
    close: () => undefined,
  };
}

/**
 * Several instances: everything in one Redis (REDIS_URL, keys under REDIS_PREFIX). Start-up waits for
 * Redis and fails with a clear message when it cannot be reached.
 */
export async function createRedisStores({
  config,
  keys,
  sms,
  clock,
  logger,
  agentsOnline,
  random,
}: StoreDeps): Promise<Stores> {
  const url = config.REDIS_URL ?? '';
  const prefix = config.REDIS_PREFIX;
  const redis = connectRedis(url);
  const subscriber = redis.duplicate();
  // The client reconnects by itself; while Redis is away, turns fail closed (error.unavailable).
  let down = false;
  for (const connection of [redis, subscriber]) {
    connection.on('error', (error: Error) => {
      if (!down) logger.warn('redis unavailable', { error: error.message });
      down = true;
    });
    connection.on('ready', () => {
      if (down) logger.info('redis back');
      down = false;
    });
  }
  try {
    await Promise.all([whenReady(redis, 10_000), whenReady(subscriber, 10_000)]);
  } catch (error) {
    redis.disconnect();
    subscriber.disconnect();
    throw new Error(`STORAGE=redis: cannot reach Redis at REDIS_URL (${String(error)})`, { cause: error });
  }
  const queue = createRedisHandoffQueue({
    redis,
    subscriber,
    prefix,
    clock,
    averageHandleMinutes: config.HANDOFF_AVERAGE_MINUTES,
    agentsOnline,
    logger,
  });
  await queue.ready();
  return {
    storage: createRedisStorage({ redis, prefix, encryptionKey: keys.state, clock }),
    otp: createRedisOtpService({
      redis,
      prefix,
      secret: keys.otp,
      clock,
      ...(random ? { random } : {}),
      ...otpSettings(config),
    }),
    notices: createRedisNoticeSender({ redis, prefix, sms, clock }),
    identityLimiter: createRedisAttemptLimiter({
      redis,
      prefix,
      scope: 'identity',
      maxAttempts: config.IDENTITY_MAX_ATTEMPTS,
      lockMs: config.IDENTITY_LOCK_MINUTES * 60_000,
      clock,
    }),
    rateLimits: createRedisRateLimits(rateRules(config), keys.limits, redis, prefix),
    queue,
    // A conversation nobody writes to expires with the retention; the retention job trims live ones.
    transcripts: createRedisTranscriptStore({ redis, prefix, clock, keepMs: config.TRANSCRIPT_RETENTION_DAYS * 86_400_000 }),
    audit: createRedisAuditLog({ redis, prefix, key: keys.audit, clock }),
    feedback: createRedisFaqFeedback({ redis, prefix, clock }),
    funnel: createRedisFunnelLog({ redis, prefix }),
    turnLock: createRedisTurnLock({ redis, prefix, logger }),
    queueHeard: () => queue.heard(),
    claimDelivery: createRedisDeliveryClaims({ redis, prefix }),
    close() {
      void queue.shutdown().finally(() => {
        subscriber.disconnect();
        redis.disconnect();
      });
    },
  };
}
