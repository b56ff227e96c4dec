import { menuButtons } from './replies';
import { changePhoneSetup } from './setup';

/**
 * Idle: no flow under way. The customer is greeted, small talk is answered, a change starts (with
 * whatever details the sentence already holds), and after two messages the bot cannot place, a
 * person is offered. Entering idle ends any flow (its masked summary stays for a later handoff).
 */
export const idle = changePhoneSetup.createStateConfig({
  entry: 'endFlow',
  on: {
    JOINED: { actions: [{ type: 'say', params: { key: 'welcome.greeting', buttons: menuButtons() } }] },
    SAID: [
      {
        guard: { type: 'intentIs', params: { intent: 'changePhone' } },
        target: 'changing',
        actions: [{ type: 'acted', params: { intent: 'changePhone' } }, 'resetFallbacks'],
      },
      {
        guard: { type: 'intentIs', params: { intent: 'greeting' } },
        actions: [
          { type: 'acted', params: { intent: 'greeting' } },
          { type: 'say', params: { key: 'welcome.menu', buttons: menuButtons() } },
          'resetFallbacks',
        ],
      },
      {
        guard: { type: 'intentIs', params: { intent: 'thanks' } },
        actions: [
          { type: 'acted', params: { intent: 'greeting' } },
          { type: 'say', params: { key: 'smalltalk.thanks', buttons: menuButtons() } },
          'resetFallbacks',
        ],
      },
      {
        guard: { type: 'intentIs', params: { intent: 'goodbye' } },
        actions: [
          { type: 'acted', params: { intent: 'greeting' } },
          { type: 'say', params: { key: 'smalltalk.goodbye' } },
          'resetFallbacks',
        ],
      },
      // Card or phone numbers without a word of what for: most likely the change; start it with them.
      {
        guard: 'bringsDetails',
        target: 'changing',
        actions: [{ type: 'acted', params: { intent: 'changePhone' } }, 'resetFallbacks'],
      },
      {
        guard: 'fallbackLimitReached',
        actions: [
          { type: 'acted', params: { intent: 'none' } },
          { type: 'say', params: { key: 'fallback.offerAgent', buttons: ['changePhone', 'faq', 'agent'] } },
          { type: 'offerAgent', params: { reason: 'outOfScope' } },
          'resetFallbacks',
        ],
      },
      {
        actions: [
          { type: 'acted', params: { intent: 'none' } },
          { type: 'say', params: { key: 'fallback.notUnderstood', buttons: menuButtons() } },
          'noteFallback',
        ],
      },
    ],
    HELP_REQUESTED: {
      actions: [
        { type: 'acted', params: { intent: 'faq', faqId: 'help' } },
        { type: 'say', params: { key: 'help.idle', buttons: menuButtons(), data: { faqId: 'help' } } },
      ],
    },
    CANCEL_REQUESTED: {
      actions: [
        { type: 'acted', params: { intent: 'cancel' } },
        { type: 'say', params: { key: 'cancel.nothingToCancel', buttons: menuButtons() } },
      ],
    },
    RESTART_REQUESTED: {
      target: 'changing',
      actions: [{ type: 'acted', params: { intent: 'changePhone' } }],
    },
  },
});
