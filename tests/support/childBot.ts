import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NLU_CACHE, TEST_SECRET } from './harness';
import { DEMO_SEED } from './server';

const ROOT = join(__dirname, '..', '..');

/** The bot in a process of its own, as `npm start` runs it. */
export interface ChildBot {
  child: ChildProcessWithoutNullStreams;
  /** http://127.0.0.1:<port> */
  base: string;
  port: number;
  /** Resolves when the process has exited (for whatever reason). */
  exited: Promise<void>;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Its resident memory now, in bytes (Linux: /proc/<pid>/status). */
  rssBytes(): Promise<number>;
}

/** Copies the language model other suites trained into `dataDir`: a start without it trains for seconds. */
export function reuseTrainedModel(dataDir: string): void {
  if (!existsSync(NLU_CACHE)) return;
  for (const f of readdirSync(NLU_CACHE).filter((n) => n.endsWith('.json'))) copyFileSync(join(NLU_CACHE, f), join(dataDir, f));
}

/**
 * Starts index.ts on `dataDir` and a free port; resolves once it listens. Node runs index.ts itself with
 * tsx as a loader (`node --import tsx`), not through the tsx CLI: the CLI runs the bot in a child process
 * of its own, and a SIGKILL to the CLI cannot be passed on (the bot would live on).
 */
export async function spawnBot(dataDir: string, env: Record<string, string> = {}): Promise<ChildBot> {
  reuseTrainedModel(dataDir);
  const child = spawn(process.execPath, ['--import', 'tsx', 'index.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      DATA_DIR: dataDir,
      SECRET_KEY: TEST_SECRET,
      STORAGE: 'sqlite',
      BANK_SEED_PATH: DEMO_SEED,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let running = true;
  // Should jest itself be stopped mid-test, the bot must not outlive it.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running = false;
      process.off('exit', reap);
      resolve();
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      const found = listeningPort(output);
      if (found !== undefined) resolve(found);
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    void exited.then(() => reject(new Error(`the bot exited before listening:\n${output}`)));
  });
  return {
    child,
    base: `http://127.0.0.1:${port}`,
    port,
    exited,
    alive: () => running,
    output: () => output,
    async rssBytes() {
      const { readFile } = await import('node:fs/promises');
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
      if (kb === undefined) throw new Error('no VmRSS in /proc/<pid>/status');
      return Number(kb) * 1024;
    },
  };
}

/** The port of the `listening` log line, once the bot has written it. */
function listeningPort(output: string): number | undefined {
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: unknown; port?: unknown };
      if (entry.msg === 'listening' && typeof entry.port === 'number') return entry.port;
    } catch {
      // a line still being written
    }
  }
  return undefined;
}
