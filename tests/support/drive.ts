import type { Activity } from 'botbuilder';
import type { Expecting } from '../../domain/expecting';
import { FRESH, ZHANG } from './demo';
import { cd, last, type Conversation, type Harness } from './harness';

export interface Customer {
  card: string;
  id: string;
  phone: string;
  national: string;
}

/**
 * Every question, in the order the bot asks them; `otp` is the current number's code, `otpNew` the
 * new one's. `oldPhoneReachable` is asked only of a customer who said the number may be gone.
 */
export const EVERY_STEP: Array<Expecting | 'otpNew'> = [
  'cardNumber',
  'idNumber',
  'oldPhone',
  'oldPhoneReachable',
  'otp',
  'newPhone',
  'otpNew',
  'confirm',
];

/** How a change starts; the doubtful start says the current number may be gone. */
export const START = '更换绑定手机号';
export const DOUBTFUL_START = '我原来的手机号可能停用了，要更换绑定手机号';

/**
 * Drives a conversation from the start until the bot asks `until` (the first `otp` is the code
 * for the current number; `otpNew` the one for the new number). Returns the last replies. The first
 * code goes at once after the current number; to reach `oldPhoneReachable` the conversation starts
 * with a sentence saying the number may be gone, and answers "能收到" there.
 */
export async function driveTo(
  h: Harness,
  c: Conversation,
  until: Expecting | 'otpNew',
  customer: Customer = ZHANG,
  newPhone: { phone: string; national: string } = FRESH,
): Promise<Partial<Activity>[]> {
  const viaQuestion = until === 'oldPhoneReachable';
  const steps: Array<[Expecting | 'otpNew', () => string]> = [
    ['cardNumber', () => (viaQuestion ? DOUBTFUL_START : START)],
    ['idNumber', () => customer.card],
    ['oldPhone', () => customer.id],
    ...(viaQuestion
      ? ([
          ['oldPhoneReachable', () => customer.national],
          ['otp', () => '能收到'],
        ] as Array<[Expecting | 'otpNew', () => string]>)
      : ([['otp', () => customer.national]] as Array<[Expecting | 'otpNew', () => string]>)),
    ['newPhone', () => h.sms.lastCode(customer.phone)],
    ['otpNew', () => newPhone.national],
    ['confirm', () => h.sms.lastCode(newPhone.phone)],
  ];
  let replies: Partial<Activity>[] = [];
  for (const [reached, say] of steps) {
    replies = await c.say(say());
    const expecting = cd(last(replies)).expecting;
    const wanted = reached === 'otpNew' ? 'otp' : reached;
    if (expecting !== wanted) {
      throw new Error(`expected the bot to ask for ${wanted}, got ${JSON.stringify(cd(last(replies)))}`);
    }
    if (reached === until) return replies;
  }
  throw new Error(`never reached ${until}`);
}
