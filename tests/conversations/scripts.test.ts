/**
 * Every conversation script in tests/scripts/*.yaml (format: tests/scripts/README.md), one suite per
 * script and one test per turn. Runs in both jest projects: embedded, and with every store on Redis.
 */
import { describeScript, scriptFiles } from '../support/scriptJest';

const files = scriptFiles();

test('there are scripts to run', () => {
  expect(files.length).toBeGreaterThan(0);
});

for (const file of files) describeScript(file);
