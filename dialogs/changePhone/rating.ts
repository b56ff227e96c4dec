import { ratingRecord } from './inputs';
import { menuButtons } from './replies';
import { changePhoneSetup } from './setup';

/** After a person helped: a rating, which the customer may skip by simply going on. */
export const rating = changePhoneSetup.createStateConfig({
  entry: { type: 'ask', params: { expecting: 'rating' } },
  on: {
    SAID: [
      {
        guard: 'ratingGiven',
        target: 'idle',
        actions: [
          'informed',
          { type: 'recordRating', params: ratingRecord },
          { type: 'say', params: { key: 'rating.thanks', buttons: menuButtons() } },
          'forgetRating',
        ],
      },
      {
        guard: 'denied',
        target: 'idle',
        actions: ['informed', { type: 'say', params: { key: 'rating.skipped', buttons: menuButtons() } }, 'forgetRating'],
      },
      // Anything else: no rating, and the bot handles the message as it would have.
      { target: 'idle', actions: ['forgetRating', 'handleAsUsual'] },
    ],
    CANCEL_REQUESTED: {
      target: 'idle',
      actions: [
        { type: 'acted', params: { intent: 'cancel' } },
        { type: 'say', params: { key: 'rating.skipped', buttons: menuButtons() } },
        'forgetRating',
      ],
    },
    RESTART_REQUESTED: { target: 'changing', actions: [{ type: 'acted', params: { intent: 'changePhone' } }, 'forgetRating'] },
  },
});
