import { changePhoneMachine } from '../dialogs/changePhoneMachine';
import { RebindBot } from '../bot/RebindBot';
import { conversationHash } from '../services/funnel';
import { funnelStep } from '../services/funnel/funnel';
import { createChartActors } from '../services/chartEffects';
import type { Services } from './createServices';

/** The chart with its real effects, and the bot around it. */
export function createBot(s: Services): RebindBot {
  const machine = changePhoneMachine.provide({
    actors: createChartActors({
      bank: s.bankForChart,
      otp: s.otp,
      sms: s.sms,
      notices: s.notices,
      identityLimiter: s.identityLimiter,
      rateLimits: s.rateLimits,
      clientOf: (conversationId) => s.turnClients.of(conversationId),
      handoff: {
        queue: s.queue,
        hours: s.agentHours,
        mode: s.config.HANDOFF_MODE,
        transcripts: s.transcripts,
        agentName: (agentId) => s.agents.nameOf(agentId) ?? agentId,
      },
      audit: s.audit,
      render: s.render,
      secret: s.keys.identity,
      clock: s.clock,
      ttlSeconds: s.config.OTP_TTL_SECONDS,
      warn: (msg, fields) => s.logger.warn(msg, fields),
    }),
    actions: {
      // Feedback and ratings are courtesies: storing one never holds up or breaks the customer's turn.
      recordFeedback: (_, params: { faqId: string; helpful: boolean; conversationId: string }) => {
        s.feedback.record(params).catch((error: unknown) => s.logger.warn('feedback not recorded', { error: String(error) }));
      },
      recordRating: (_, params: { ticket: string; stars: number; conversationId: string }) => {
        Promise.all([
          s.queue.rate(params.ticket, params.stars),
          s.audit.record('handoff.rated', params.conversationId, { ticket: params.ticket, stars: params.stars }),
        ]).catch((error: unknown) => s.logger.warn('rating not recorded', { error: String(error) }));
      },
    },
  });
  return new RebindBot({
    machine,
    storage: s.storage,
    recognizer: s.recognizer,
    render: s.render,
    localeOf: s.localeOf,
    clock: s.clock,
    sessionIdleMs: s.config.SESSION_IDLE_MINUTES * 60_000,
    turnTimeoutMs: 20_000,
    transcripts: s.transcripts,
    lock: s.turnLock,
    rateLimits: s.rateLimits,
    clients: s.turnClients,
    onTurn: (info) => {
      const conversation = conversationHash(info.conversationKey);
      s.logger.info('turn', {
        conversation,
        state: info.state,
        intent: info.intent,
        outcome: info.outcome,
        keys: info.keys,
        replayed: info.replayed,
        ms: info.ms,
      });
      s.metrics.turn(info);
      // A courtesy like feedback: a funnel event not stored never holds up or breaks the turn.
      const step = funnelStep(info);
      if (step) {
        s.funnel
          .record(conversation, step, s.clock())
          .catch((error: unknown) => s.logger.warn('funnel event not recorded', { error: String(error) }));
      }
    },
  });
}
