/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): where the time went, by function (self and
 * inclusive) and by area (a package in node_modules, a folder of this repo, Node itself, GC).
 *
 *   npx tsx bench/profileSummary.ts bench/profiles/<run>-sqlite/CPU….cpuprofile [--top 25] [--from-ms n] [--to-ms n]
 *
 * `--from-ms` / `--to-ms` keep the samples of a window after the process started (the bench passes
 * the measured load's, so start-up and warm-up do not count); `--turns n` adds µs per turn.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO } from './target';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** µs, on the profiled process's monotonic clock. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Line {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  /** Sampled time, ms, without idle. */
  busyMs: number;
  idleMs: number;
  selfByFunction: Line[];
  /** Time with the function anywhere on the stack; this repo's functions only. */
  inclusiveOwn: Line[];
  selfByArea: Line[];
  /**
   * Time charged to the nearest folder of this repo on the stack (a sample in better-sqlite3 called
   * from services/transcripts counts for services/transcripts): what each part of the bot costs,
   * libraries included. Samples with no repo code on the stack are the framework's (HTTP, adapter).
   */
  byNearestOwnArea: Line[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function pathOf(url: string): string {
  if (url === '') return '';
  try {
    return url.startsWith('file:') ? fileURLToPath(url) : url;
  } catch {
    return url;
  }
}

/** node_modules/<package>, a folder of this repo (services/storage), node:internal, or a special. */
export function areaOf(functionName: string, url: string): string {
  if (SPECIAL.has(functionName)) return functionName;
  const path = pathOf(url);
  if (path === '') return '(native / builtin)';
  if (path.startsWith('node:')) return 'node (internals)';
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return `npm: ${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (path.startsWith(REPO)) {
    const parts = relative(REPO, path).split('/');
    return parts.length > 2 ? `${parts[0]}/${parts[1]}` : (parts[0] ?? path);
  }
  return path;
}

function functionLabel(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (SPECIAL.has(functionName)) return functionName;
  const path = pathOf(url);
  const where = path.startsWith(REPO) ? relative(REPO, path) : path.replace(/^.*node_modules\//, '');
  return `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : '(native)'}`;
}

/** A part of the profile: from `fromMs` to `toMs` after it started (e.g. the measured load only). */
export interface Window {
  fromMs?: number;
  toMs?: number;
}

export function summarise(profile: CpuProfile, top = 25, window: Window = {}): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<number, number>();
  const fromUs = (window.fromMs ?? 0) * 1000;
  const toUs = (window.toMs ?? Number.POSITIVE_INFINITY) * 1000;
  let atUs = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    atUs += delta;
    if (atUs >= fromUs && atUs <= toUs) self.set(id, (self.get(id) ?? 0) + delta);
  });

  let idleUs = 0;
  let busyUs = 0;
  const selfFn = new Map<string, number>();
  const selfArea = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const nearest = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    if (node.callFrame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const label = functionLabel(node);
    selfFn.set(label, (selfFn.get(label) ?? 0) + us);
    const area = areaOf(node.callFrame.functionName, node.callFrame.url);
    selfArea.set(area, (selfArea.get(area) ?? 0) + us);
    // Inclusive: every function of this repo on the stack, once per sample (recursion counted once).
    const seen = new Set<string>();
    let own: string | undefined;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (!frame) break;
      const path = pathOf(frame.callFrame.url);
      if (!path.startsWith(REPO) || path.includes('/node_modules/')) continue;
      own ??= areaOf(frame.callFrame.functionName, frame.callFrame.url);
      const l = functionLabel(frame);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + us);
    }
    const charged = SPECIAL.has(node.callFrame.functionName) ? node.callFrame.functionName : (own ?? '(no repo code on the stack)');
    nearest.set(charged, (nearest.get(charged) ?? 0) + us);
  }
  const lines = (m: Map<string, number>, n: number): Line[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }));
  return {
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    selfByFunction: lines(selfFn, top),
    inclusiveOwn: lines(inclusive, top),
    selfByArea: lines(selfArea, top),
    byNearestOwnArea: lines(nearest, top),
  };
}

export function formatSummary(s: ProfileSummary, perTurn?: number): string {
  const table = (title: string, rows: Line[]) =>
    [
      title,
      ...rows.map(
        (r) =>
          `  ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms` +
          `${perTurn ? `  ${((r.ms * 1000) / perTurn).toFixed(0).padStart(5)} µs/turn` : ''}  ${r.name}`,
      ),
    ].join('\n');
  return [
    `busy ${s.busyMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms (shares are of busy time)` +
      (perTurn ? `; ${perTurn} turns, ${((s.busyMs * 1000) / perTurn).toFixed(0)} µs busy per turn` : ''),
    table('time by part of the bot (nearest folder of this repo on the stack):', s.byNearestOwnArea),
    table('self time by area:', s.selfByArea),
    table('self time by function:', s.selfByFunction),
    table("inclusive time, this repo's functions:", s.inclusiveOwn),
  ].join('\n');
}

export function summariseFile(file: string, top = 25, window: Window = {}): ProfileSummary {
  return summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top, window);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const flag = (name: string): number | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  const top = flag('--top') ?? 25;
  const fromMs = flag('--from-ms');
  const toMs = flag('--to-ms');
  const turns = flag('--turns');
  const files = args.filter((a, i) => !a.startsWith('--') && !(args[i - 1] ?? '').startsWith('--'));
  if (files.length === 0) {
    process.stderr.write('usage: tsx bench/profileSummary.ts <file.cpuprofile> [--top 25] [--from-ms n] [--to-ms n] [--turns n]\n');
    process.exit(2);
  }
  const window = { ...(fromMs !== undefined ? { fromMs } : {}), ...(toMs !== undefined ? { toMs } : {}) };
  for (const f of files) process.stdout.write(`${f}\n${formatSummary(summariseFile(f, top, window), turns)}\n\n`);
}
