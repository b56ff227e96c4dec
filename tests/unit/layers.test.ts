import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * The layers, held by reading every import of every .ts file (static `import` and `export … from`,
 * `require`, dynamic `import()`; TypeScript's own pre-processor, so comments and strings do not count):
 *   domain/    imports nothing of the project outside domain/;
 *   dialogs/   imports only domain/ (and itself);
 *   services/  never imports dialogs/, bot/ or server/.
 * Packages (node:*, npm) are not the project's and are allowed everywhere.
 */

const ROOT = join(__dirname, '..', '..');
const SKIP = new Set(['node_modules', 'dist', 'coverage', 'var', 'test-artifacts', '.git', 'web']);

/** Every .ts file of the project, relative to the root, with '/' separators. */
function tsFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [relative(ROOT, path).split(sep).join('/')] : [];
  });
}

interface Import {
  /** The importing file, e.g. `services/otp/sqlite.ts`. */
  from: string;
  /** As written, e.g. `../../domain/clock`. */
  specifier: string;
  /** The project path it points to (`domain/clock`), or undefined for a package. */
  target?: string;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return ts.preProcessFile(text, true, true).importedFiles.map(({ fileName: specifier }) => {
    if (!specifier.startsWith('.')) return { from: file, specifier };
    const target = relative(ROOT, resolve(ROOT, dirname(file), specifier)).split(sep).join('/');
    return { from: file, specifier, target };
  });
}

/** The top folder of a project path: its layer (`domain`, `dialogs`, …), or the file at the root. */
const layerOf = (path: string) => path.split('/')[0] ?? path;

type Rule = { layer: string; allowed: (targetLayer: string) => boolean; says: string };

const RULES: Rule[] = [
  { layer: 'domain', allowed: (to) => to === 'domain', says: 'domain/ imports nothing of the project outside domain/' },
  { layer: 'dialogs', allowed: (to) => to === 'dialogs' || to === 'domain', says: 'dialogs/ imports only domain/' },
  {
    layer: 'services',
    allowed: (to) => !['dialogs', 'bot', 'server'].includes(to),
    says: 'services/ never imports dialogs/, bot/ or server/',
  },
];

/** Every import that breaks a rule, as `file: import 'specifier' (→ target): rule`. */
function violations(imports: Import[]): string[] {
  return imports.flatMap((i) => {
    if (i.target === undefined) return [];
    if (i.target.startsWith('..')) return [`${i.from}: import '${i.specifier}' leaves the project`];
    const rule = RULES.find((r) => r.layer === layerOf(i.from));
    if (!rule || rule.allowed(layerOf(i.target))) return [];
    return [`${i.from}: import '${i.specifier}' (→ ${i.target}): ${rule.says}`];
  });
}

const files = tsFiles();
const imports = files.flatMap(importsOf);

describe('one-way layers: domain ← dialogs, domain ← services', () => {
  test('every layer the rules name has files, and their imports are read', () => {
    for (const { layer } of RULES) {
      expect(files.filter((f) => layerOf(f) === layer).length).toBeGreaterThan(2);
      expect(imports.filter((i) => layerOf(i.from) === layer && i.target !== undefined).length).toBeGreaterThan(2);
    }
  });

  test.each(RULES.map((r) => [r.says, r.layer] as const))('%s', (_says, layer) => {
    expect(violations(imports.filter((i) => layerOf(i.from) === layer))).toEqual([]);
  });

  test('the reader sees static, type-only, re-exported, required and dynamic imports, and nothing in comments', () => {
    const seen = ts
      .preProcessFile(
        [
          "import { a } from './a';",
          "import type { B } from '../b';",
          "export { c } from './c';",
          "const d = require('./d');",
          "void import('./e');",
          "// import f from './f';",
          "const g = \"import g from './g'\";",
        ].join('\n'),
        true,
        true,
      )
      .importedFiles.map((f) => f.fileName);
    expect(seen).toEqual(['./a', '../b', './c', './d', './e']);
  });

  test('the rules refuse what they should, and name the file, the import and the rule', () => {
    const planted: Import[] = [
      { from: 'domain/mask.ts', specifier: '../services/platform/log', target: 'services/platform/log' },
      { from: 'domain/locale.ts', specifier: '../content/zh-CN.json', target: 'content/zh-CN.json' },
      { from: 'dialogs/replies.ts', specifier: '../services/otp', target: 'services/otp' },
      { from: 'dialogs/types.ts', specifier: '../bot/RebindBot', target: 'bot/RebindBot' },
      { from: 'services/otp/sqlite.ts', specifier: '../../dialogs/types', target: 'dialogs/types' },
      { from: 'services/sms/http.ts', specifier: '../../server/createServices', target: 'server/createServices' },
      { from: 'services/sms/http.ts', specifier: '../../bot/RebindBot', target: 'bot/RebindBot' },
      // Allowed:
      { from: 'domain/mask.ts', specifier: './validation', target: 'domain/validation' },
      { from: 'domain/mask.ts', specifier: 'libphonenumber-js/max' },
      { from: 'dialogs/replies.ts', specifier: '../domain/mask', target: 'domain/mask' },
      { from: 'services/otp/sqlite.ts', specifier: '../limits/sqlite', target: 'services/limits/sqlite' },
      { from: 'services/otp/sqlite.ts', specifier: '../../domain/otpBinding', target: 'domain/otpBinding' },
      { from: 'server/chartEffects.ts', specifier: '../dialogs/types', target: 'dialogs/types' },
    ];
    expect(violations(planted)).toEqual([
      "domain/mask.ts: import '../services/platform/log' (→ services/platform/log): domain/ imports nothing of the project outside domain/",
      "domain/locale.ts: import '../content/zh-CN.json' (→ content/zh-CN.json): domain/ imports nothing of the project outside domain/",
      "dialogs/replies.ts: import '../services/otp' (→ services/otp): dialogs/ imports only domain/",
      "dialogs/types.ts: import '../bot/RebindBot' (→ bot/RebindBot): dialogs/ imports only domain/",
      "services/otp/sqlite.ts: import '../../dialogs/types' (→ dialogs/types): services/ never imports dialogs/, bot/ or server/",
      "services/sms/http.ts: import '../../server/createServices' (→ server/createServices): services/ never imports dialogs/, bot/ or server/",
      "services/sms/http.ts: import '../../bot/RebindBot' (→ bot/RebindBot): services/ never imports dialogs/, bot/ or server/",
    ]);
  });
});
