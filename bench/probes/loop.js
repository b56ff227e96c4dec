'use strict';
/**
 * How busy the event loop is (performance.eventLoopUtilization) and how long the commit barrier's
 * fdatasync calls take (FileHandle.datasync), every 5 s, to <PROBE_DIR>/rebind-probe-loop.log.
 */
const fsp = require('node:fs/promises');
const { performance } = require('node:perf_hooks');
const { every } = require('./common');

const durations = [];
let patched = false;
const open = fsp.open;
fsp.open = async function probedOpen(...args) {
  const handle = await open.apply(this, args);
  if (!patched) {
    patched = true;
    const proto = Object.getPrototypeOf(handle);
    const datasync = proto.datasync;
    proto.datasync = async function timedDatasync() {
      const t = performance.now();
      try {
        return await datasync.call(this);
      } finally {
        durations.push(performance.now() - t);
      }
    };
  }
  return handle;
};

let elu = performance.eventLoopUtilization();
every(5, 'rebind-probe-loop.log', (at) => {
  const e = performance.eventLoopUtilization(elu);
  elu = performance.eventLoopUtilization();
  const s = durations.splice(0).sort((a, b) => a - b);
  const q = (p) => (s[Math.floor(p * (s.length - 1))] ?? 0).toFixed(1);
  return `${at} loop busy ${(e.utilization * 100).toFixed(1)}%; fdatasync n ${s.length} p50 ${q(0.5)} p90 ${q(0.9)} p99 ${q(0.99)} max ${q(1)} ms\n`;
});
