import { createRedisAuditLog } from '../services/audit/redis';
import { createRedisFaqFeedback } from '../services/feedback/redis';
import { createRedisFunnelLog } from '../services/funnel/redis';
import { createRedisDeliveryClaims, createRedisHandoffQueue } from '../services/handoff/redis';
import { createRedisRateLimits, createRedisAttemptLimiter } from '../services/limits/redis';
import { createRedisNoticeSender } from '../services/notices/redis';
import { createRedisOtpService } from '../services/otp/redis';
import { connectRedis, whenReady } from '../services/platform/redisClient';
import { createRedisTurnLock } from '../services/platform/turnLock';
import { createRedisStorage } from '../services/storage/redis';
import { createRedisTranscriptStore } from '../services/transcripts/redis';
import { otpSettings, rateRules, type StoreDeps, type Stores } from './stores';

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
