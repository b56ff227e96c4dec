import type { Storage } from 'botbuilder';
import type { Config } from '../config';
import type { Clock } from '../domain/clock';
import type { AuditLog } from '../services/audit';
import { createSqliteAuditLog } from '../services/audit/sqlite';
import type { FaqFeedback } from '../services/feedback';
import { createSqliteFaqFeedback } from '../services/feedback/sqlite';
import type { FunnelLog } from '../services/funnel';
import { createSqliteFunnelLog } from '../services/funnel/sqlite';
import type { HandoffQueue } from '../services/handoff';
import { asyncQueue, createSqliteHandoffQueue } from '../services/handoff/sqlite';
import type { AttemptLimiter, RateLimits } from '../services/limits';
import { rateRulesFrom } from '../services/limits/rateRules';
import { asyncLimiter, createSqliteAttemptLimiter, createSqliteRateLimits } from '../services/limits/sqlite';
import type { NoticeSender } from '../services/notices';
import { createSqliteNoticeSender } from '../services/notices/sqlite';
import type { OtpService } from '../services/otp';
import { createSqliteOtpService } from '../services/otp/sqlite';
import type { Logger } from '../services/platform/log';
import type { Db } from '../services/platform/openDatabase';
import { localTurnLock, type TurnLock } from '../services/platform/turnLock';
import type { SmsGateway } from '../services/sms';
import { createSqliteStorage } from '../services/storage/sqlite';
import type { TranscriptStore } from '../services/transcripts';
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

export const otpSettings = (config: Config) => ({
  ttlSeconds: config.OTP_TTL_SECONDS,
  maxAttempts: config.OTP_MAX_ATTEMPTS,
  lockMinutes: config.OTP_LOCK_MINUTES,
  resendCooldownSeconds: config.OTP_RESEND_COOLDOWN_SECONDS,
  maxPerHourPerNumber: config.OTP_MAX_PER_HOUR,
  maxPerDayPerNumber: config.OTP_MAX_PER_DAY,
});

export const rateRules = (config: Config) =>
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
 * Several instances: everything in one Redis (server/redisStores.ts). Its adapters and ioredis load
 * only here, so a bot on SQLite never loads them.
 */
export async function createRedisStores(deps: StoreDeps): Promise<Stores> {
  const { createRedisStores: create } = await import('./redisStores');
  return create(deps);
}
