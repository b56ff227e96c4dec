/** What a recogniser can make of a customer's message. */
export type Intent =
  | 'changePhone'
  | 'faq'
  | 'handoff'
  | 'cancel'
  | 'restart'
  | 'help'
  | 'greeting'
  | 'thanks'
  | 'affirm'
  | 'deny'
  | 'resend'
  | 'complaint'
  | 'goodbye'
  | 'feedback'
  /** At the current number's code prompt: that number cannot receive the code (lost, stopped). */
  | 'cantReceive'
  /** The current number is in someone else's hands (taken over, used by another person). */
  | 'compromised'
  | 'none';
