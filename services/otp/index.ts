export {
  createOtpService,
  drawCode,
  keyedHash,
  migrateOtp,
  OTP_DEFAULTS,
  OTP_LIMIT_SCOPE,
  otpHashes,
  otpSettings,
} from './otpService';
export type { OtpServiceOptions, OtpSettings } from './otpService';
export type { IssueResult, OtpService, VerifyResult } from './types';
export type { OtpBinding, OtpPurpose } from '../../domain/otpBinding';
