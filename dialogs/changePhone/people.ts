import { leaveQueueInput, relayInput, requestAgentInput } from './inputs';
import { menuButtons } from './replies';
import { runs } from './effects';
import { changePhoneSetup } from './setup';

/*
 * People: the queue, an agent, or the channel's own agent hub (HANDOFF_MODE=protocol). Events from
 * the agent side name their ticket; one about an older ticket is ignored (`aboutTicket`).
 */

/** A person is asked for: queued, with the person who already has it, passed to the hub, or (out of hours) a call back. */
export const handingOff = changePhoneSetup.createStateConfig({
  ...runs('requestAgent', requestAgentInput),
  on: {
    EFFECT_DONE: [
      // The flow (if any) ends: its masked summary stays for the person.
      { guard: 'queued', target: 'waitingForAgent', actions: ['endFlow', 'holdTicket', 'sayQueued'] },
      { guard: 'withAgentNow', target: 'withAgent', actions: ['endFlow', 'holdTicket', 'sayReconnected'] },
      { guard: 'toChannel', target: 'withChannel', actions: ['passToChannel', 'endFlow', 'holdTicket', 'sayTransferring'] },
      // Outside agent hours: the bank calls back instead (the reason is kept for the request).
      { guard: 'agentsClosed', target: 'offeringCallback', actions: ['endFlow', 'sayAfterHours'] },
    ],
    EFFECT_FAILED: {
      target: 'idle',
      actions: [{ type: 'say', params: { key: 'handoff.unavailable', buttons: menuButtons() } }, 'dropOffer'],
    },
  },
});

export const waitingForAgent = changePhoneSetup.createStateConfig({
  on: {
    // Anything the customer writes while waiting is kept for the agent, and they hear their place.
    SAID: { target: 'relayingWhileWaiting', actions: 'informed' },
    CANCEL_REQUESTED: { target: 'leavingQueue', actions: { type: 'acted', params: { intent: 'cancel' } } },
    RESTART_REQUESTED: { target: 'leavingQueue', actions: { type: 'acted', params: { intent: 'cancel' } } },
    AGENT_REQUESTED: { actions: [{ type: 'acted', params: { intent: 'handoff' } }, 'sayStillWaiting'] },
    QUEUE_MOVED: { guard: 'aboutTicket', actions: 'noteQueueMove' },
    AGENT_JOINED: { guard: 'aboutTicket', target: 'withAgent', actions: 'connectAgent' },
    AGENT_LEFT: { guard: 'aboutTicket', target: 'rating', actions: ['sayAgentLeft', 'releaseHandoff'] },
  },
});

export const relayingWhileWaiting = changePhoneSetup.createStateConfig({
  ...runs('relayToAgent', relayInput),
  on: {
    EFFECT_DONE: [
      { guard: 'stillWaiting', target: 'waitingForAgent', actions: 'keepWaiting' },
      { guard: 'withAgentNow', target: 'withAgent', actions: 'connectAgent' },
      { guard: 'ticketEnded', target: 'idle', actions: ['sayNotDelivered', 'dropHandoff'] },
    ],
    EFFECT_FAILED: { target: 'waitingForAgent', actions: 'sayRelayFailed' },
  },
});

export const leavingQueue = changePhoneSetup.createStateConfig({
  ...runs('leaveQueue', leaveQueueInput),
  on: {
    EFFECT_DONE: [
      // An agent took the ticket a moment before the customer gave up waiting.
      { guard: 'withAgentNow', target: 'withAgent', actions: 'connectAgent' },
      { guard: 'leftQueue', target: 'idle', actions: ['sayLeftQueue', 'dropHandoff'] },
    ],
    EFFECT_FAILED: { target: 'waitingForAgent', actions: 'sayRelayFailed' },
  },
});

export const withAgent = changePhoneSetup.createStateConfig({
  on: {
    // Everything the customer writes goes to the agent; the agent answers.
    SAID: { target: 'relayingToAgent', actions: { type: 'acted', params: { intent: 'handoff' } } },
    AGENT_SAID: { guard: 'aboutTicket', actions: 'sayAgentMessage' },
    AGENT_LEFT: { guard: 'aboutTicket', target: 'rating', actions: ['sayAgentLeft', 'releaseHandoff'] },
  },
});

export const relayingToAgent = changePhoneSetup.createStateConfig({
  ...runs('relayToAgent', relayInput),
  on: {
    EFFECT_DONE: [
      { guard: 'ticketOpen', target: 'withAgent' },
      { guard: 'ticketEnded', target: 'idle', actions: ['sayNotDelivered', 'dropHandoff'] },
    ],
    EFFECT_FAILED: { target: 'withAgent', actions: 'sayRelayFailed' },
  },
});

/** HANDOFF_MODE=protocol: the channel's agent hub has the conversation; the bot stays quiet. */
export const withChannel = changePhoneSetup.createStateConfig({
  on: {
    SAID: {},
    HANDOFF_STATUS: [
      { guard: 'hubFailed', target: 'idle', actions: ['sayHubFailed', 'dropHandoff'] },
      { guard: 'hubCompleted', target: 'rating', actions: ['sayHubEnded', 'releaseHandoff'] },
      // accepted: a person has it now; they speak for the bank.
      { guard: 'hubAccepted', actions: 'noteHubAccepted' },
    ],
  },
});
