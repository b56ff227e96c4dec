export { connectRedis, StoreUnavailableError, whenReady } from '../platform/redisClient';
export { storeCall } from '../platform/storeCall';
export { createRedisOtpService } from './redisOtp';
export type { RedisOtpServiceOptions } from './redisOtp';
export { createRedisAttemptLimiter, limitKey } from './redisLimiter';
export type { RedisAttemptLimiterOptions } from './redisLimiter';
export { createRedisNoticeSender } from './redisNotices';
export type { RedisNoticeSenderOptions } from './redisNotices';
export { createRedisAuditLog } from './redisAudit';
export { createRedisFaqFeedback } from './redisFeedback';
export { createRedisTranscriptStore } from './redisTranscripts';
export type { RedisTranscriptStoreOptions } from './redisTranscripts';
export { createRedisTurnLock, localTurnLock, LockTimeoutError } from '../platform/turnLock';
export type { RedisTurnLockOptions, TurnLock } from '../platform/turnLock';
// Building blocks for other stores on Redis (e.g. the handoff queue).
export { execAll } from '../platform/execAll';
export { LUA_COMMON, luaScript } from '../platform/luaScript';
export type { LuaScript } from '../platform/luaScript';
