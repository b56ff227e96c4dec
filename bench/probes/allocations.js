'use strict';
/**
 * Where memory is allocated: V8's sampling heap profiler (one sample per 4 KB allocated, objects the
 * collector freed included) from PROBE_AT seconds (8 by default) for PROBE_FOR seconds (10), then the
 * allocating functions, by self and by inclusive size, to <PROBE_DIR>/rebind-probe-allocations.log.
 * Divide by the turns of that window (turns/s × PROBE_FOR) for a turn's share. With PROBE_SURVIVORS=1
 * only what outlived the young generation (what scavenges copied and promoted) is counted.
 */
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { dir } = require('./common');

const at = Number(process.env.PROBE_AT || 8) * 1000;
const span = Number(process.env.PROBE_FOR || 10) * 1000;
const session = new inspector.Session();
session.connect();

function summarise(profile) {
  const self = new Map();
  const inclusive = new Map();
  let total = 0;
  // node_modules/<package>/… for libraries, dist/… for the bot's own code.
  const where = (url) => (url.includes('/node_modules/') ? url.replace(/.*\/node_modules\//, 'node_modules/') : url.replace(/.*\/dist\//, 'dist/'));
  const name = (frame) => `${frame.functionName || '(anonymous)'} ${where(frame.url)}:${frame.lineNumber}`;
  const walk = (node, above) => {
    const key = name(node.callFrame);
    total += node.selfSize;
    self.set(key, (self.get(key) ?? 0) + node.selfSize);
    const stack = new Set(above).add(key);
    for (const k of stack) inclusive.set(k, (inclusive.get(k) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child, stack);
  };
  walk(profile.head, new Set());
  const top = (map, filter = () => true) =>
    [...map].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, bytes]) => `${(bytes / 1024).toFixed(0).padStart(9)} KB  ${k}`).join('\n');
  return (
    `${(total / 1e6).toFixed(1)} MB ${process.env.PROBE_SURVIVORS === '1' ? 'outlived the young generation' : 'allocated'} in ${span / 1000} s\n-- by function\n${top(self)}\n` +
    `-- inclusive, the bot's own functions\n${top(inclusive, (k) => k.includes(' dist/'))}\n`
  );
}

setTimeout(() => {
  // PROBE_SURVIVORS=1: only what outlived the young generation (promoted to the old one), by where it
  // was allocated: what makes scavenges copy and full collections come.
  const survivors = process.env.PROBE_SURVIVORS === '1';
  session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !survivors }, (error) => {
    if (error) return writeFileSync(join(dir, 'rebind-probe-allocations.log'), `${error.message}\n`);
    setTimeout(() => {
      session.post('HeapProfiler.stopSampling', (err, result) => {
        writeFileSync(join(dir, 'rebind-probe-allocations.log'), err ? `${err.message}\n` : summarise(result.profile));
      });
    }, span).unref();
  });
}, at).unref();
