import { identityInput } from './inputs';
import { runs } from './effects';
import { changePhoneSetup } from './setup';

/**
 * The bank checks that the card, the ID and the current number belong together. A match goes on;
 * a mismatch drops every detail and asks again; a locked, rate-limited or abnormal account ends the
 * flow and offers a person.
 */
export const verifyingIdentity = changePhoneSetup.createStateConfig({
  ...runs('verifyIdentity', identityInput),
  on: {
    EFFECT_DONE: [
      { guard: 'identityMatched', target: 'routing', actions: 'storeIdentity' },
      { guard: 'identityMismatched', target: 'routing', actions: ['sayIdentityFailed', 'forgetDetails'] },
      {
        guard: 'identityLocked',
        target: '#rebind.idle',
        actions: ['sayIdentityLocked', { type: 'offerAgent', params: { reason: 'identityLocked' } }],
      },
      {
        guard: 'identityLimited',
        target: '#rebind.idle',
        actions: ['sayIdentityLimited', { type: 'offerAgent', params: { reason: 'identityLocked' } }],
      },
      {
        guard: 'accountAbnormal',
        target: '#rebind.idle',
        actions: ['sayAccountAbnormal', { type: 'offerAgent', params: { reason: 'accountAbnormal' } }],
      },
    ],
    EFFECT_FAILED: { target: '#rebind.idle', actions: 'sayServiceError' },
  },
});
