export { createRedisOtpService } from './redisOtp';
export type { RedisOtpServiceOptions } from './redisOtp';
export { createRedisNoticeSender } from './redisNotices';
export type { RedisNoticeSenderOptions } from './redisNotices';
export { createRedisAuditLog } from './redisAudit';
export { createRedisFaqFeedback } from './redisFeedback';
export { createRedisTranscriptStore } from './redisTranscripts';
export type { RedisTranscriptStoreOptions } from './redisTranscripts';
