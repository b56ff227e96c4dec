/** Why a conversation goes to a person. Stable: recorded with the handoff. */
export type HandoffReason =
  | 'customerRequest'
  | 'identityLocked'
  | 'otpLocked'
  | 'repeatedMisses'
  | 'outOfScope'
  | 'accountAbnormal'
  | 'numberTaken'
  | 'oldPhoneUnreachable'
  | 'complaint'
  | 'serviceError';
