import { changeBindingInput, checkNewPhoneInput } from './inputs';
import { menuButtons } from './replies';
import { runs } from './effects';
import { changePhoneSetup } from './setup';

/*
 * The change itself: the bank says the new number may be bound, the customer confirms what will
 * change, and the change is committed, once.
 */

export const checkingNewPhone = changePhoneSetup.createStateConfig({
  ...runs('checkNewPhone', checkNewPhoneInput),
  on: {
    EFFECT_DONE: [
      { guard: 'newPhoneFree', target: 'routing', actions: 'noteNewPhoneFree' },
      {
        guard: 'newPhoneTaken',
        target: '#rebind.idle',
        actions: [
          { type: 'say', params: { key: 'newPhone.rejected', outcome: 'rejected', buttons: ['agent'] } },
          { type: 'offerAgent', params: { reason: 'numberTaken' } },
        ],
      },
    ],
    EFFECT_FAILED: { target: '#rebind.idle', actions: 'sayServiceError' },
  },
});

export const confirming = changePhoneSetup.createStateConfig({
  entry: { type: 'ask', params: { expecting: 'confirm' } },
  on: {
    SAID: [
      { guard: 'affirmed', target: 'committing', actions: 'informed' },
      {
        guard: 'denied',
        target: '#rebind.idle',
        actions: [
          { type: 'acted', params: { intent: 'cancel' } },
          { type: 'say', params: { key: 'cancel.done', outcome: 'cancelled', buttons: menuButtons() } },
        ],
      },
    ],
  },
});

export const committing = changePhoneSetup.createStateConfig({
  ...runs('changeBinding', changeBindingInput),
  on: {
    EFFECT_DONE: [
      { guard: 'bindingChanged', target: '#rebind.idle', actions: 'sayChanged' },
      {
        guard: 'bindingConflict',
        target: '#rebind.idle',
        actions: [
          { type: 'say', params: { key: 'change.conflict', outcome: 'rejected', buttons: ['agent'] } },
          { type: 'offerAgent', params: { reason: 'serviceError' } },
        ],
      },
    ],
    // Changed or not (a timeout may hide a commit), confirming again is safe: the change is
    // keyed by the verified code, so the bank returns the same change and nothing happens twice.
    EFFECT_FAILED: { target: 'confirming', actions: { type: 'say', params: { key: 'error.changeFailed' } } },
  },
});
