'use strict';
/**
 * Which tables' pages a turn writes: turns off the automatic checkpoints of every database file the
 * bot opens (so the WAL keeps every frame), then after PROBE_AT seconds (20 by default) reads each
 * WAL back and counts its frames by table or index (through SQLite's dbstat) and its commits. To
 * <PROBE_DIR>/rebind-probe-wal.log. A measurement only: the WAL grows without bound meanwhile.
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const Database = require('better-sqlite3');
const { dir } = require('./common');

const files = new Set();
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function noCheckpoints(...args) {
  if (!this.memory && !this.readonly && !files.has(this.name)) {
    files.add(this.name);
    this.pragma('wal_autocheckpoint = 0');
  }
  return prepare.apply(this, args);
};

/** Frames of the WAL's current generation (its header's salt), by table, and the commit frames. */
function framesByTable(file) {
  const wal = readFileSync(`${file}-wal`);
  const pageSize = wal.readUInt32BE(8);
  const salt = wal.readUInt32BE(16);
  const db = new Database(file, { readonly: true });
  const names = new Map(db.prepare('SELECT name, pageno FROM dbstat').all().map((r) => [r.pageno, r.name]));
  db.close();
  const counts = new Map();
  let frames = 0;
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt) break;
    frames += 1;
    if (wal.readUInt32BE(at + 4) !== 0) commits += 1;
    const name = names.get(wal.readUInt32BE(at)) ?? 'a page freed since';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return { frames, commits, counts };
}

setTimeout(() => {
  const out = [];
  for (const file of files) {
    try {
      const { frames, commits, counts } = framesByTable(file);
      out.push(`${file}: ${frames} frames in ${commits} commits, ${(frames / Math.max(1, commits)).toFixed(1)} a commit`);
      for (const [name, n] of [...counts].sort((a, b) => b[1] - a[1])) {
        out.push(`  ${String(n).padStart(7)}  ${(n / Math.max(1, commits)).toFixed(2).padStart(6)} a commit  ${name}`);
      }
    } catch (error) {
      out.push(`${file}: ${error.message}`);
    }
  }
  writeFileSync(join(dir, 'rebind-probe-wal.log'), out.join('\n') + '\n');
}, Number(process.env.PROBE_AT || 20) * 1000).unref();
