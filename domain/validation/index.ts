/** Pure validators for what a customer types. Result shapes and reasons: ./types. */
export type { CardCheck, IdCheck, IdType, OtpCheck, PhoneCheck } from './types';
export { normalizeDigits, digitsToAscii, foldToAscii } from './normalize';
export { findDigitRuns, type DigitRun } from './digitRuns';
export { validateCardNumber, luhnValid, isUnionPay } from './cardNumber';
export { validateIdNumber, residentIdCheckChar, isPlausibleBirthDate } from './idNumber';
export { validateMobile } from './mobile';
export { validateOtp } from './otp';
export { looksLikeSecret } from './secret';
export { validateCallbackTime, parseRating, MAX_CALLBACK_TIME_CHARS, type CallbackTimeCheck } from './handoffAnswers';
