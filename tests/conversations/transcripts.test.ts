/**
 * Every Bot Framework Emulator transcript in tests/transcripts replays against the bot: the customer's
 * activities are sent again and the bot's replies must match the recorded ones (normalised; see
 * tests/support/transcript.ts). Record them again with `npx tsx tests/transcripts/record.ts`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadTranscript, replayTranscript } from '../support/transcript';

const DIR = join(__dirname, '..', 'transcripts');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.transcript'))
  .sort();

test('there are transcripts to replay', () => {
  expect(files.length).toBeGreaterThan(0);
});

describe('transcript replay', () => {
  test.each(files)('%s replays', async (file) => {
    const report = await replayTranscript(loadTranscript(join(DIR, file)), { file: `tests/transcripts/${file}` });
    expect(report.compared).toBeGreaterThan(0);
  });
});
