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
  | 'none';
