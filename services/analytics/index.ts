export { computeFunnel, formatFunnel, funnelStep, FUNNEL_ENDINGS, FUNNEL_STEPS } from './funnel';
export type { FunnelEnding, FunnelEvent, FunnelReport, FunnelStage, FunnelStep, FunnelStepCount, FunnelTurn } from './funnel';
export { conversationHash, createSqliteFunnelLog } from './funnelLog';
export type { FunnelLog } from './funnelLog';
export { createRedisFunnelLog } from './redisFunnelLog';
