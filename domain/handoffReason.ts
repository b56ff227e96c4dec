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
  | 'serviceError'
  /** The current number is in someone else's hands: no code goes to it; first in the queue. */
  | 'numberCompromised';
