export {
  checkOtpOptions,
  createOtpService,
  drawCode,
  keyedHash,
  migrateOtp,
  OTP_DEFAULTS,
  OTP_LIMIT_SCOPE,
  otpHashes,
} from './otpService';
export type { OtpServiceOptions } from './otpService';
export type { IssueResult, OtpBinding, OtpPurpose, OtpService, VerifyResult } from './types';
