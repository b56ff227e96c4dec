/**
 * Conversation scripts as jest suites: one `describe` per script, one `test` per turn, named for the
 * turn (`turn 3: say "6222…" → ask.idNumber, expecting idNumber`). Turns depend on the ones before:
 * after a failure the later turns fail with "not run: turn 3 failed (…)".
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadScript, ScriptRun, type Script } from './script';

const ROOT = join(__dirname, '..', '..');
export const SCRIPTS_DIR = join(ROOT, 'tests', 'scripts');

/** Every script file under tests/scripts (sorted), relative to the repository. */
export function scriptFiles(dir = SCRIPTS_DIR): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => relative(ROOT, join(dir, f)));
}

/** Declares the jest suite of one script file. A script that does not load fails as one test. */
export function describeScript(file: string): void {
  let script: Script;
  try {
    script = loadScript(join(ROOT, file));
  } catch (error) {
    describe(file, () => {
      test('loads', () => {
        throw error;
      });
    });
    return;
  }
  describe(`${script.name} (${file})`, () => {
    const run = new ScriptRun(script, { file });
    beforeAll(() => run.start());
    afterAll(() => run.dispose());
    run.titles.forEach((title, i) => {
      test(title, () => run.play(i));
    });
  });
}
