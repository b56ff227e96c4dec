import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

describe('the README layout matches the tree', () => {
  const block = /## Layout\n\n```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  /** The paths the layout names in its first column (`services/<feature>/` stands for every feature). */
  const named = block
    .split('\n')
    .map((line) => /^(\S+)/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);

  test('it names paths, and each exists', () => {
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((path) => !path.includes('<') && !existsSync(join(ROOT, path)))).toEqual([]);
  });

  test('it names every top-level folder and every service folder', () => {
    const folders = (dir: string) =>
      readdirSync(join(ROOT, dir), { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !['node_modules', 'coverage', 'test-artifacts', 'var', 'dist'].includes(e.name))
        .map((e) => `${dir}${e.name}/`);
    const top = folders('');
    expect(top.filter((folder) => !named.some((path) => path.startsWith(folder)))).toEqual([]);
    const services = folders('services/');
    expect(services.filter((folder) => !named.includes(folder) && !block.includes(folder.split('/')[1]!))).toEqual([]);
  });
});
