import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../config';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const readme = read('README.md');
const configuration = read('docs/configuration.md');
const interfaces = read('docs/interfaces.md');
const envExample = read('.env.example');
const settings = Object.keys(loadConfig({}));

describe('the documented interfaces match the code', () => {
  test.each(settings)('setting %s is in the table of docs/configuration.md and in .env.example', (name) => {
    expect(configuration).toContain(`| \`${name}\` |`);
    expect(envExample).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  test.each(['key', 'intent', 'expecting', 'otpTarget', 'outcome', 'faqId', 'reason', 'resendAfterSeconds', 'handoff'])(
    'channelData field %s is documented in docs/interfaces.md',
    (field) => {
      expect(interfaces).toContain(`| \`${field}\` |`);
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

describe('the README is a map, and its links lead somewhere', () => {
  /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
  const anchor = (heading: string) =>
    heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
  const headingsOf = (text: string) =>
    new Set([...text.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1] ?? '')));
  const pages = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

  test('the README is about 150 to 250 lines', () => {
    const lines = readme.split('\n').length;
    expect(lines).toBeGreaterThanOrEqual(150);
    expect(lines).toBeLessThanOrEqual(250);
  });

  test('the README links every page of docs/', () => {
    const linked = pages.filter((page) => page.startsWith('docs/') && !readme.includes(`](${page}`));
    expect(linked).toEqual([]);
  });

  test.each(pages)('every relative link and picture in %s points at a file (and a heading) that exists', (page) => {
    const text = read(page).replace(/```[\s\S]*?```/g, '');
    const broken = [...text.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1] ?? '')
      .filter((target) => !/^[a-z]+:/.test(target))
      .filter((target) => {
        const [file = '', hash] = target.split('#');
        const path = file === '' ? page : join(dirname(page), file);
        if (!existsSync(join(ROOT, path))) return true;
        return hash !== undefined && path.endsWith('.md') && !headingsOf(read(path)).has(hash);
      });
    expect(broken).toEqual([]);
  });
});
