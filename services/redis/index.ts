export { createRedisOtpService } from '../otp/redis';
export type { RedisOtpServiceOptions } from '../otp/redis';
export { createRedisNoticeSender } from './redisNotices';
export type { RedisNoticeSenderOptions } from './redisNotices';
