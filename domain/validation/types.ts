/** Results of validating what a customer typed. `reason` values are stable: they become message keys. */
export type CardCheck =
  | { ok: true; value: string }
  | { ok: false; reason: 'empty' | 'notDigits' | 'length' | 'checksum' };

export type IdType = 'CN_RESIDENT' | 'PASSPORT';

export type IdCheck =
  | { ok: true; idType: IdType; value: string }
  | { ok: false; reason: 'empty' | 'format' | 'checksum' | 'birthDate' };

export type PhoneCheck =
  /** e164 such as +8613800138000 */
  | { ok: true; e164: string }
  | { ok: false; reason: 'empty' | 'format' | 'notMobile' };

export type OtpCheck = { ok: true; code: string } | { ok: false; reason: 'empty' | 'format' };
