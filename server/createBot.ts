import { RebindBot } from '../bot/RebindBot';
import { conversationHash } from '../services/funnel';
import { funnelStep } from '../services/funnel/funnel';
import { createChartMachine } from './chartEffects';
import type { Services } from './createServices';

/** The chart with its real effects, and the bot around it. */
export function createBot(s: Services): RebindBot {
  const machine = createChartMachine({
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
    feedback: s.feedback,
    render: s.render,
    secret: s.keys.identity,
    clock: s.clock,
    ttlSeconds: s.config.OTP_TTL_SECONDS,
    warn: (msg, fields) => s.logger.warn(msg, fields),
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
    durable: s.durable,
    mark: s.mark,
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
