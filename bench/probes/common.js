'use strict';
/**
 * What the probes share: where they write (PROBE_DIR, the system's temporary folder by default) and a
 * timer that never keeps the bot alive. A probe is loaded into the bot's process by the bench:
 *   npm run bench -- --only sqlite --rounds 1 --node-args '-r ./bench/probes/loop.js'
 * Plain JavaScript: it runs beside the compiled bot, before anything else is loaded.
 */
const { appendFileSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const dir = process.env.PROBE_DIR || tmpdir();

/** Every `seconds`, `report()`'s text is appended to (or, with `replace`, written as) `<dir>/<file>`. */
function every(seconds, file, report, { replace = false } = {}) {
  const path = join(dir, file);
  const started = Date.now();
  setInterval(() => {
    const at = `${Math.round((Date.now() - started) / 1000)}s`;
    const text = report(at);
    if (replace) writeFileSync(path, text);
    else appendFileSync(path, text);
  }, seconds * 1000).unref();
  return path;
}

module.exports = { every, dir };
