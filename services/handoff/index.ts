export { createHandoffService, newTicket } from './handoffService';
export type { HandoffRequest, HandoffService } from './handoffService';
