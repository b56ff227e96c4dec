export { createOtpService, keyedHash, migrateOtp, OTP_LIMIT_SCOPE } from './otpService';
export type { OtpServiceOptions } from './otpService';
export type { IssueResult, OtpBinding, OtpPurpose, OtpService, VerifyResult } from './types';
