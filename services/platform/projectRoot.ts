import { basename, dirname, resolve } from 'node:path';

/**
 * The repository's root, seen from a module `depth` folders below it, whether the module runs from
 * source (tsx: `<root>/server/x.ts`) or compiled (`<root>/dist/server/x.js`). Where the pages, Web
 * Chat's bundle and the bank's contract are read from. Pure: no file is looked at.
 */
export function projectRoot(moduleDir: string, depth: number): string {
  const root = resolve(moduleDir, ...Array.from({ length: depth }, () => '..'));
  return basename(root) === 'dist' ? dirname(root) : root;
}
