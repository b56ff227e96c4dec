export { SmsError } from './types';
export type { SmsGateway, SmsMessage } from './types';
export type { OutboxEntry } from './outboxLine';
export { createOutboxSms, readOutbox } from './outboxSms';
export type { OutboxSmsOptions } from './outboxSms';
export { createConsoleSms } from './consoleSms';
export type { ConsoleSmsOptions } from './consoleSms';
export { createSmsGateway } from './createSmsGateway';
export type { SmsConfig, SmsProvider } from './createSmsGateway';
