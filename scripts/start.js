#!/usr/bin/env node
/**
 * `npm start`: the compiled bot (dist/index.js). On a fresh clone, or when a source file is newer than
 * the last build, it builds first (`npm run build`: tsc -p tsconfig.build.json, into a clean dist/),
 * so the two set-up commands stay two. The bot then runs in this same process, so a SIGTERM sent to it
 * (by systemd, by a test) is the bot's. For development, `npm run dev` runs the sources with tsx watch.
 *
 * Plain JavaScript: it must run before anything is compiled.
 */
'use strict';
const { existsSync, readdirSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.built');
/** What the build compiles (tsconfig.build.json's include), and what it reads. */
const SOURCES = ['index.ts', 'domain', 'bot', 'dialogs', 'services', 'content', 'server', 'config', 'scripts', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** The newest modification time among the sources (test files aside). */
function newestSource() {
  let newest = 0;
  const visit = (path) => {
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path)) visit(join(path, name));
    } else if (!path.endsWith('.test.ts')) {
      newest = Math.max(newest, st.mtimeMs);
    }
  };
  for (const s of SOURCES) if (existsSync(join(ROOT, s))) visit(join(ROOT, s));
  return newest;
}

function needsBuild() {
  if (!existsSync(join(DIST, 'index.js')) || !existsSync(STAMP)) return true;
  return newestSource() > statSync(STAMP).mtimeMs;
}

function build() {
  let tsc;
  try {
    tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  } catch {
    return false;
  }
  process.stderr.write('Building the bot (dist/)…\n');
  rmSync(DIST, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('The build failed: see the errors above.\n');
    process.exit(1);
  }
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  return true;
}

if (require.main === module) {
  if (process.argv.includes('--build-only')) {
    if (!build()) {
      process.stderr.write('typescript is not installed: run npm install first.\n');
      process.exit(1);
    }
    process.exit(0);
  }
  if (needsBuild() && !build()) {
    if (!existsSync(join(DIST, 'index.js'))) {
      process.stderr.write('dist/ is missing and typescript is not installed: run npm install, then npm start.\n');
      process.exit(1);
    }
    process.stderr.write('dist/ may be older than the sources (typescript is not installed to rebuild it).\n');
  }
  require(join(DIST, 'index.js'));
}

module.exports = { build, needsBuild };
