export { checkCutoff, createTranscriptStore, maskLineText, MAX_LINE_CHARS } from './transcriptStore';
export type { TranscriptLine, TranscriptStore } from './transcriptStore';
export { conversationIdFrom, forgetConversation, MAX_CONVERSATION_ID } from './forgetConversation';
export type { ForgetDeps, ForgetRequestedBy, Forgotten } from './forgetConversation';
export { DAY_MS, startRetentionJob } from './retentionJob';
export type { RetentionJob, RetentionJobOptions, RetentionRun } from './retentionJob';
