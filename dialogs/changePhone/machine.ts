import { changePhoneSetup, takeFeedback } from './setup';
import { EFFECTS_ACTOR } from './effects';
import { idle } from './idle';
import { changing } from './changing';
import { handingOff, leavingQueue, relayingToAgent, relayingWhileWaiting, waitingForAgent, withAgent, withChannel } from './people';
import { rating } from './rating';
import { offeringCallback, recordingCallback } from './callback';

/**
 * The change-number conversation. Pure: every effect is named in setup.ts and provided at the
 * composition root (`machine.provide({ actors, actions })`); tests provide fakes. What the bot says
 * is emitted as `{ type: 'reply', reply }` with a message key; wording lives in content/.
 *
 * Here: what holds wherever the customer is (the root's `on`), and the regions put together, one
 * file each. The id and every state path are what stored snapshots name: they never change.
 */
export const changePhoneMachine = changePhoneSetup.createMachine({
  id: 'rebind',
  context: ({ input }) => ({
    conversationId: input.conversationId,
    locale: 'zh-CN',
    misses: 0,
    fallbacks: 0,
    codes: { old: 0, new: 0 },
    passed: { identity: false, oldCode: false, newCode: false },
  }),
  initial: 'idle',
  // Runs the effects the states ask for (effects.ts): the one actor the chart holds.
  invoke: { id: EFFECTS_ACTOR, src: EFFECTS_ACTOR },
  on: {
    LOCALE_SET: { actions: 'setLocale' },
    // A question from the knowledge base, answered wherever the customer is; the flow keeps its
    // place and the pending question is asked again. No effect runs again.
    ASKED: {
      actions: [
        { type: 'acted', params: ({ event }) => ({ intent: 'faq' as const, faqId: event.faqId }) },
        { type: 'answer', params: ({ event }) => ({ faqId: event.faqId }) },
        'askAgain',
      ],
    },
    // Could be one of a few topics: offer them; the chosen one comes back as ASKED.
    ASKED_UNCLEARLY: { actions: [{ type: 'acted', params: { intent: 'faq', faqId: 'which' } }, 'offerTopics'] },
    // The current number is in someone else's hands: no code goes to it (a flow in progress ends);
    // the customer hears why and how to protect the card now, and goes to a person, first in line.
    COMPROMISE_REPORTED: {
      target: '.handingOff',
      actions: [
        { type: 'acted', params: { intent: 'handoff' } },
        { type: 'say', params: { key: 'compromised.protect', data: { reason: 'numberCompromised' } } },
        { type: 'offerAgent', params: { reason: 'numberCompromised' } },
      ],
    },
    FEEDBACK_GIVEN: { actions: takeFeedback },
    COMPLAINED: {
      target: '.handingOff',
      actions: [
        { type: 'acted', params: { intent: 'handoff' } },
        { type: 'say', params: { key: 'complaint.ack' } },
        { type: 'offerAgent', params: { reason: 'complaint' } },
      ],
    },
    AGENT_REQUESTED: { target: '.handingOff', actions: { type: 'acted', params: { intent: 'handoff' } } },
  },
  states: {
    idle,
    changing,
    // ---- People: the queue, an agent, a call back, or the channel's own agent hub ----------------
    handingOff,
    waitingForAgent,
    relayingWhileWaiting,
    leavingQueue,
    withAgent,
    relayingToAgent,
    withChannel,
    rating,
    offeringCallback,
    recordingCallback,
  },
});

export type ChangePhoneMachine = typeof changePhoneMachine;
