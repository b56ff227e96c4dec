'use strict';
/**
 * How many promises a turn makes, and where (async hooks; a stack taken for one promise in 50, named
 * by its first frame outside Node). Per HTTP request, which under the bench is per turn. Written every
 * 5 s (the whole run so far) to <PROBE_DIR>/rebind-probe-promises.log. Hooks slow every promise down:
 * read the counts, not the speed, of a run with this probe.
 */
const { createHook } = require('node:async_hooks');
const http = require('node:http');
const { every } = require('./common');

let requests = 0;
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function countingEmit(event, ...args) {
  if (event === 'request') requests += 1;
  return emit.call(this, event, ...args);
};

const SAMPLE = 50;
const sites = new Map();
let promises = 0;
let sampling = false;
createHook({
  init(_id, type) {
    if (type !== 'PROMISE' || sampling) return;
    promises += 1;
    if (promises % SAMPLE !== 0) return;
    sampling = true;
    const frames = (new Error().stack || '').split('\n').slice(2);
    sampling = false;
    const frame = frames.find((l) => !l.includes('node:internal') && !l.includes('async_hooks') && !l.includes(__filename)) || '?';
    const site = frame.trim().replace(/^at /, '').replace(`${process.cwd()}/`, '').replace(/:\d+\)?$/, '');
    sites.set(site, (sites.get(site) || 0) + 1);
  },
}).enable();

every(
  5,
  'rebind-probe-promises.log',
  (at) =>
    `after ${at}: ${promises} promises, ${requests} requests, ${(promises / Math.max(1, requests)).toFixed(1)} a request\n` +
    [...sites]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 40)
      .map(([site, n]) => `${((n * SAMPLE) / Math.max(1, requests)).toFixed(2).padStart(7)} a request  ${site}`)
      .join('\n') +
    '\n',
  { replace: true },
);
