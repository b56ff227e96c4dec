export { createTranscriptStore, maskLineText, MAX_LINE_CHARS } from './transcriptStore';
export type { TranscriptLine, TranscriptStore } from './transcriptStore';
