import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../config';

const ROOT = join(__dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const envExample = readFileSync(join(ROOT, '.env.example'), 'utf8');
const settings = Object.keys(loadConfig({}));

describe('the documented interfaces match the code', () => {
  test.each(settings)('setting %s is in the README table and in .env.example', (name) => {
    expect(readme).toContain(`| \`${name}\` |`);
    expect(envExample).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  test.each(['key', 'intent', 'expecting', 'otpTarget', 'outcome', 'faqId', 'reason', 'resendAfterSeconds', 'handoff'])(
    'channelData field %s is documented',
    (field) => {
      expect(readme).toContain(`| \`${field}\` |`);
    },
  );

  test('the README names the test command that CI runs', () => {
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    expect(readme).toContain('npm test');
    expect(ci).toMatch(/^npm test$/m);
  });
});
