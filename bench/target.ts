/**
 * A bot under test, as its own process: Rebind as `npm start` runs it (`node dist/index.js`, compiled),
 * the SDK's bots with `node --import tsx <entry>`; timed from spawn to ready, watched for peak memory,
 * stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(__dirname, '..');

export interface RunningTarget {
  pid: number;
  base: string;
  /** Spawn → ready, ms. */
  coldStartMs: number;
  /** `performance.now()` of this process when the target was spawned (its profile starts about then). */
  spawnedAt: number;
  /** Peak resident memory so far (VmHWM), bytes; undefined off Linux. */
  peakRss(): number | undefined;
  /** Resident memory now (VmRSS), bytes; undefined off Linux. */
  rss(): number | undefined;
  /** CPU time the process has used so far (user + system, all threads), ms; undefined off Linux. */
  cpuMs(): number | undefined;
  /** SIGTERM, then wait for the exit (a CPU profile is written on the way out). */
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  /** The entry file, relative to the repo. */
  entry: string;
  /** Load the entry through tsx (TypeScript sources); false for compiled JavaScript. Default true. */
  tsx?: boolean;
  port: number;
  env: Record<string, string>;
  /** True once the process serves requests (polled every 10 ms). */
  ready: (base: string) => Promise<boolean>;
  /** More options for node, before the entry (e.g. `--trace-gc`). */
  nodeArgs?: string[];
  /** Told every line the process writes on stdout. */
  onLine?: (line: string) => void;
  /** Append the process's output to this file (with LOG_LEVEL set, the bot's JSON logs). */
  logFile?: string;
  /** Write V8 CPU profiles into this directory (`node --cpu-prof`: one per thread). */
  profileDir?: string;
  timeoutMs?: number;
}

/** A memory figure of a process from /proc/<pid>/status (VmHWM: peak, VmRSS: now), bytes; undefined off Linux. */
function statusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** VmHWM (peak resident set) of a process, from /proc; undefined where there is no /proc. */
export function peakRssOf(pid: number): number | undefined {
  return statusBytes(pid, 'VmHWM');
}

/** VmRSS (resident set now) of a process, from /proc; undefined where there is no /proc. */
export function rssOf(pid: number): number | undefined {
  return statusBytes(pid, 'VmRSS');
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ): 100 on every Linux Node supports. */
const USER_HZ = 100;

/** utime + stime of a process (every thread), from /proc; undefined where there is no /proc. */
export function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}

export async function startTarget(o: StartOptions): Promise<RunningTarget> {
  const base = `http://127.0.0.1:${o.port}`;
  const args = [
    // One file per thread (tsx's loader runs in a worker of its own): the caller picks the main one.
    ...(o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : []),
    ...(o.nodeArgs ?? []),
    ...(o.tsx === false ? [] : ['--import', 'tsx']),
    o.entry,
  ];
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO,
    env: { ...o.env, PORT: String(o.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  const log = o.logFile ? createWriteStream(o.logFile, { flags: 'a' }) : undefined;
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  if (o.onLine) {
    const onLine = o.onLine;
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(onLine);
    });
  }
  if (log) {
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('exit', () => log.end());
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));

  const deadline = started + (o.timeoutMs ?? 60_000);
  for (;;) {
    if (exitCode !== undefined) throw new Error(`${o.name} exited with ${exitCode} before it was ready:\n${output}`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${o.name} was not ready within ${o.timeoutMs ?? 60_000} ms:\n${output}`);
    }
    if (await o.ready(base).catch(() => false)) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const coldStartMs = performance.now() - started;
  const pid = child.pid as number;

  return {
    pid,
    base,
    coldStartMs,
    spawnedAt: started,
    peakRss: () => peakRssOf(pid),
    rss: () => rssOf(pid),
    cpuMs: () => cpuMsOf(pid),
    async stop() {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** One GET on a fresh connection: the status, or 0 when nothing listens yet. */
export async function getStatus(url: string): Promise<number> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.status;
}

/** One POST on a fresh connection: the status, or 0 when nothing listens yet. */
export async function postStatus(url: string, body: unknown): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(2000),
  });
  await res.arrayBuffer();
  return res.status;
}
