import { or } from 'xstate';
import { sendCodeInput, verifyCodeInput } from './inputs';
import { answerOf } from './events';
import { runs } from './effects';
import { changePhoneSetup } from './setup';

/*
 * The code steps. They serve both numbers: the current one until it is verified, then the new one
 * (`codeTarget` in replies.ts). Before the first code, a customer who said the number may be gone
 * is asked whether it still receives SMS.
 */

/** Both code steps end the same way when the card is locked: the flow stops, a person is offered. */
const whenCodesLocked = { guard: 'codesLocked', target: '#rebind.idle', actions: 'sayOtpLocked' } as const;

export const askingReachable = changePhoneSetup.createStateConfig({
  entry: { type: 'ask', params: { expecting: 'oldPhoneReachable' } },
  on: {
    SAID: [
      { guard: 'affirmed', target: 'routing', actions: ['informed', 'noteReachable'] },
      { guard: 'denied', target: '#rebind.idle', actions: ['informed', 'sayUnreachable'] },
    ],
  },
});

/** Sent, or why not (a wait, a cap, a limit, an SMS failure): either way the customer hears it at the code prompt. */
export const sendingCode = changePhoneSetup.createStateConfig({
  ...runs('sendCode', sendCodeInput),
  on: {
    EFFECT_DONE: [
      whenCodesLocked,
      { target: 'awaitingCode', actions: { type: 'saySendResult', params: ({ event }) => ({ output: answerOf(event, 'sendCode') }) } },
    ],
    EFFECT_FAILED: { target: 'awaitingCode', actions: { type: 'saySendResult', params: { output: { result: 'smsFailed' } } } },
  },
});

export const awaitingCode = changePhoneSetup.createStateConfig({
  on: {
    SAID: [
      { guard: 'wantsResend', target: 'sendingCode', actions: 'informed' },
      // "Can't receive it" at the current number's code: the lost-number path, as at the question.
      { guard: 'cantReceiveAtOldNumber', target: '#rebind.idle', actions: ['informed', 'sayUnreachable'] },
      // At the new number's code it is the codes-not-arriving question: answered, then asked again.
      {
        guard: { type: 'intentIs', params: { intent: 'cantReceive' } },
        actions: [
          { type: 'acted', params: { intent: 'faq', faqId: 'otpNotReceived' } },
          { type: 'answer', params: { faqId: 'otpNotReceived' } },
          'askAgain',
        ],
      },
      { guard: 'codeGiven', target: 'verifyingCode', actions: 'informed' },
    ],
  },
});

/** The code the customer typed travels in the event that entered this state; it is never kept. */
export const verifyingCode = changePhoneSetup.createStateConfig({
  ...runs('verifyCode', verifyCodeInput),
  on: {
    EFFECT_DONE: [
      { guard: 'oldNumberVerified', target: 'routing', actions: ['passOldCode', { type: 'say', params: { key: 'otp.oldVerified' } }] },
      { guard: 'newNumberVerified', target: 'routing', actions: 'passNewCode' },
      whenCodesLocked,
      {
        guard: or(['codeWrong', 'codeExpired', 'codeVoid']),
        target: 'awaitingCode',
        actions: { type: 'sayVerifyResult', params: ({ event }) => ({ output: answerOf(event, 'verifyCode') }) },
      },
    ],
    EFFECT_FAILED: { target: 'awaitingCode', actions: 'sayTemporaryError' },
  },
});
