export { createHandoffService, newTicket } from './handoffService';
export type { HandoffRequest, HandoffService } from './handoffService';
export { createHandoffQueue, createLocalEventBus, migrateHandoffQueue, QueueError } from './handoffQueue';
export type {
  Callback,
  CallbackRequest,
  CancelResult,
  ClaimResult,
  Enqueued,
  EnqueueInput,
  HandoffQueue,
  HandoffQueueOptions,
  QueueErrorCode,
  QueueEvent,
  QueueEventBus,
  QueueListener,
  Ticket,
  TicketStatus,
  TranscriptLine,
  WaitingPosition,
} from './handoffQueue';
export { AgentHoursError, parseAgentHours } from './agentHours';
export type { AgentHours, AgentHoursWindow } from './agentHours';
