import { menuButtons } from './replies';
import { changePhoneSetup } from './setup';
import { collectingCard, collectingId, collectingNewPhone, collectingOldPhone } from './collecting';
import { verifyingIdentity } from './identity';
import { askingReachable, awaitingCode, sendingCode, verifyingCode } from './codeSteps';
import { checkingNewPhone, committing, confirming } from './commit';

/**
 * The change-number flow. `routing` goes to the first thing still missing or unchecked, so a
 * sentence that holds every detail skips straight to the checks. Never re-runs an effect that has
 * done its work: a code already sent for the current details is awaited, not sent again.
 *
 * What a question's own state does not take lands here: cancel, start over, help, a detail (an
 * answer, several at once, or a correction), or a refusal that says what was wrong.
 */
export const changing = changePhoneSetup.createStateConfig({
  // The sentence that started the flow may already hold details: they are taken, and only
  // what is missing is asked for.
  entry: ['startFlow', { type: 'say', params: { key: 'flow.intro' } }, 'noteOldPhoneDoubt', 'takeDetails'],
  initial: 'routing',
  on: {
    CANCEL_REQUESTED: {
      target: 'idle',
      actions: [
        { type: 'acted', params: { intent: 'cancel' } },
        { type: 'say', params: { key: 'cancel.done', outcome: 'cancelled', buttons: menuButtons() } },
      ],
    },
    RESTART_REQUESTED: {
      target: 'changing',
      reenter: true,
      actions: [
        { type: 'acted', params: { intent: 'changePhone' } },
        { type: 'say', params: { key: 'flow.restarted' } },
      ],
    },
    HELP_REQUESTED: {
      actions: [{ type: 'acted', params: { intent: 'faq', faqId: 'help' } }, 'sayHelp', 'askAgain'],
    },
    SAID: [
      { guard: 'looksLikeSecret', actions: ['informed', { type: 'say', params: { key: 'warning.secret' } }, 'askAgain'] },
      // An answer, several details at once, or a correction of an earlier one.
      { guard: 'bringsDetails', target: '.routing', actions: ['informed', 'takeDetails'] },
      {
        guard: { type: 'intentIs', params: { intent: 'changePhone' } },
        actions: [{ type: 'acted', params: { intent: 'changePhone' } }, 'askAgain'],
      },
      {
        guard: { type: 'intentIs', params: { intent: 'greeting' } },
        actions: [
          { type: 'acted', params: { intent: 'greeting' } },
          { type: 'say', params: { key: 'smalltalk.greetingInFlow' } },
          'askAgain',
        ],
      },
      { actions: ['informed', 'refuse'] },
    ],
  },
  states: {
    routing: {
      always: [
        { guard: 'noCard', target: 'collectingCard' },
        { guard: 'noIdNumber', target: 'collectingId' },
        { guard: 'noOldPhone', target: 'collectingOldPhone' },
        { guard: 'identityUnchecked', target: 'verifyingIdentity' },
        // The first code goes at once (its prompt offers "can't receive it"); only a customer who
        // said the number may be gone is asked first whether it still receives SMS.
        { guard: 'oldPhoneInDoubt', target: 'askingReachable' },
        { guard: 'oldCodeLive', target: 'awaitingCode', actions: { type: 'ask', params: { expecting: 'otp' } } },
        { guard: 'oldCodeUnverified', target: 'sendingCode' },
        { guard: 'noNewPhone', target: 'collectingNewPhone' },
        { guard: 'newPhoneUnchecked', target: 'checkingNewPhone' },
        { guard: 'newCodeLive', target: 'awaitingCode', actions: { type: 'ask', params: { expecting: 'otp' } } },
        { guard: 'newCodeUnverified', target: 'sendingCode' },
        { target: 'confirming' },
      ],
    },
    collectingCard,
    collectingId,
    collectingOldPhone,
    verifyingIdentity,
    askingReachable,
    sendingCode,
    awaitingCode,
    verifyingCode,
    collectingNewPhone,
    checkingNewPhone,
    confirming,
    committing,
  },
});
