'use strict';
/**
 * The process's CPU (user and system), context switches and file writes (/proc/self/io: bytes and
 * write calls), every 5 s, to <PROBE_DIR>/rebind-probe-io.log. Linux only.
 */
const { readFileSync } = require('node:fs');
const { every } = require('./common');

const io = () =>
  Object.fromEntries(
    readFileSync('/proc/self/io', 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(': '))
      .map(([k, v]) => [k, Number(v)]),
  );
let cpu = process.cpuUsage();
let usage = process.resourceUsage();
let last = io();
every(5, 'rebind-probe-io.log', (at) => {
  const c = process.cpuUsage(cpu);
  cpu = process.cpuUsage();
  const u = process.resourceUsage();
  const now = io();
  const line =
    `${at} cpu user ${(c.user / 1e3).toFixed(0)} ms system ${(c.system / 1e3).toFixed(0)} ms; ` +
    `context switches ${u.voluntaryContextSwitches - usage.voluntaryContextSwitches} + ${u.involuntaryContextSwitches - usage.involuntaryContextSwitches} forced; ` +
    `written ${((now.wchar - last.wchar) / 1e6).toFixed(1)} MB in ${now.syscw - last.syscw} calls, read ${((now.rchar - last.rchar) / 1e6).toFixed(1)} MB in ${now.syscr - last.syscr}\n`;
  usage = u;
  last = now;
  return line;
});
