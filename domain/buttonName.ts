/** Buttons the chart can offer; each has a label in the locale files (`button.<name>`). */
export type ButtonName =
  | 'changePhone'
  | 'faq'
  | 'agent'
  | 'yes'
  | 'no'
  | 'confirm'
  | 'cancel'
  | 'resend'
  | 'restart'
  | 'helpful'
  | 'notHelpful'
  | 'stopWaiting'
  /** On the current number's code prompt: "I can't receive it" (the lost-number path). */
  | 'cantReceive'
  | 'callbackMorning'
  | 'callbackAfternoon'
  | 'callbackEvening'
  | 'rate5'
  | 'rate4'
  | 'rate3'
  | 'rate2'
  | 'rate1';
