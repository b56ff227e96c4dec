/**
 * Records the main flows as Bot Framework Emulator transcripts (tests/transcripts/*.transcript), from
 * their conversation scripts. Open one in the Emulator (File → Open Transcript) to read the flow;
 * tests/conversations/transcripts.test.ts replays every one against the bot.
 *
 *   npx tsx tests/transcripts/record.ts                    # every flow below
 *   npx tsx tests/transcripts/record.ts tests/scripts/x.yaml [name]   # one script → tests/transcripts/<name>.transcript
 */
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadScript } from '../support/script';
import { recordScript } from '../support/transcriptRecord';

const ROOT = join(__dirname, '..', '..');
const OUT = __dirname;

/** transcript name → the script it is recorded from. */
export const FLOWS: Record<string, string> = {
  'happy-path.zh-CN': 'tests/scripts/flows/happy-path.zh-CN.yaml',
  'happy-path.en-US': 'tests/scripts/flows/happy-path.en-US.yaml',
  'wrong-code-then-success': 'tests/scripts/flows/wrong-code-then-success.yaml',
  'faq-then-finish': 'tests/scripts/flows/faq-then-finish.yaml',
  cancel: 'tests/scripts/flows/cancel.yaml',
  'handoff-to-queue': 'tests/scripts/flows/handoff-to-queue.yaml',
};

async function main(): Promise<void> {
  const [file, name] = process.argv.slice(2);
  const jobs = file ? { [name ?? basename(file).replace(/\.ya?ml$/, '')]: file } : FLOWS;
  for (const [transcript, script] of Object.entries(jobs)) {
    const activities = await recordScript(loadScript(join(ROOT, script)), transcript);
    const target = join(OUT, `${transcript}.transcript`);
    writeFileSync(target, `${JSON.stringify(activities, null, 2)}\n`);
    console.log(`${target}: ${activities.length} activities from ${script}`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
