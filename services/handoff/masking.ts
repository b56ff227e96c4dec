import { maskDigitsInText } from '../../domain/mask';
import type { MaskedSummary } from '../../domain/maskedSummary';
import type { TranscriptLine } from '../transcripts';

// What both queues mask again before they store anything (defence in depth).

/** The summary's free-text fields masked again: already-masked values come out unchanged. */
export function remaskSummary(context: MaskedSummary): MaskedSummary {
  const out: MaskedSummary = { ...context };
  for (const field of ['card', 'idNumber', 'oldPhone', 'newPhone'] as const) {
    const value = out[field];
    if (value !== undefined) out[field] = maskDigitsInText(value);
  }
  return out;
}

/** A transcript line with every number in its text masked (both queues store only this). */
export function maskLine(line: TranscriptLine): TranscriptLine {
  return { at: line.at, from: line.from, text: maskDigitsInText(line.text) };
}
