import { callbackInput } from './inputs';
import { menuButtons } from './replies';
import { runs } from './effects';
import { changePhoneSetup } from './setup';

/*
 * Outside agent hours: instead of a person now, a call back at a time the customer names.
 */

export const offeringCallback = changePhoneSetup.createStateConfig({
  entry: { type: 'ask', params: { expecting: 'callbackTime' } },
  on: {
    SAID: [
      { guard: 'denied', target: 'idle', actions: ['informed', 'sayCallbackDeclined'] },
      { guard: 'callbackTimeGiven', target: 'recordingCallback', actions: 'informed' },
      { actions: ['informed', 'refuse'] },
    ],
    CANCEL_REQUESTED: { target: 'idle', actions: [{ type: 'acted', params: { intent: 'cancel' } }, 'sayCallbackDeclined'] },
    AGENT_REQUESTED: { actions: [{ type: 'acted', params: { intent: 'handoff' } }, 'askAgain'] },
  },
});

export const recordingCallback = changePhoneSetup.createStateConfig({
  ...runs('requestCallback', callbackInput),
  on: {
    EFFECT_DONE: { target: 'idle', actions: ['sayCallbackRecorded', 'dropOffer'] },
    EFFECT_FAILED: {
      target: 'idle',
      actions: [{ type: 'say', params: { key: 'handoff.unavailable', buttons: menuButtons() } }, 'dropOffer'],
    },
  },
});
