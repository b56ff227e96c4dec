export {
  asyncQueue,
  createLocalEventBus,
  FIRST_IN_LINE,
  createSqliteHandoffQueue,
  migrateHandoffQueue,
  newTicket,
  QueueError,
} from './handoffQueue';
export type {
  Callback,
  CallbackRequest,
  CancelResult,
  ClaimResult,
  Enqueued,
  EnqueueInput,
  HandoffQueue,
  HandoffQueueOptions,
  SqliteHandoffQueue,
  QueueErrorCode,
  QueueEvent,
  QueueEventBus,
  QueueEventMeta,
  QueueListener,
  Ticket,
  TicketStatus,
  TranscriptLine,
  WaitingPosition,
} from './handoffQueue';
export { createRedisHandoffQueue } from './redisQueue';
export type { RedisHandoffQueue, RedisHandoffQueueOptions } from './redisQueue';
export { AgentHoursError, parseAgentHours } from './agentHours';
export type { AgentHours, AgentHoursWindow } from './agentHours';
export { AgentTokensError, createAgentPresence, parseAgentTokens } from './agents';
export type { Agent, AgentDirectory, AgentPresence } from './agents';
