export { createMetrics, statePath, TURN_BUCKETS } from './metrics';
export type { Metrics, TurnFacts, TurnKind } from './metrics';
