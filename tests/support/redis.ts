import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import Redis from 'ioredis';

/**
 * Redis for tests. `.ci/run` starts one on a loopback port and sets TEST_REDIS_URL; elsewhere the
 * jest global setup starts `redis-server` itself (Debian's package). Without either, Redis tests fail
 * loudly: they are never skipped.
 */
export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is not set: run the tests with `npm test` (jest global setup starts redis-server)');
  return url;
}

/**
 * A connection to the test Redis for the calling test file, closed after the file's tests. Call it at
 * the top level of the file: `const redis = redisForTests();`.
 */
export function redisForTests(): Redis {
  const redis = new Redis(testRedisUrl());
  afterAll(() => redis.disconnect());
  return redis;
}

/** A key prefix of its own, so test files sharing one Redis never see each other's keys. */
export function uniquePrefix(name = 'test'): string {
  return `rebind-test:${name}:${randomBytes(6).toString('hex')}:`;
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface RedisProcess {
  url: string;
  port: number;
  /** Stops the server (for fault tests); `start` brings it back on the same port (empty). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Freezes the server (SIGSTOP): it keeps its data but answers nothing, like a network partition. */
  pause(): void;
  /** Thaws a paused server (SIGCONT). */
  resume(): void;
}

/** Starts a throw-away redis-server on a loopback port (no persistence). */
export async function startRedisServer(port?: number): Promise<RedisProcess> {
  const p = port ?? (await freePort());
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${p}`;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
      { stdio: 'ignore' },
    );
    child.once('error', () => undefined);
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      for (let i = 0; i < 100; i++) {
        try {
          if (client.status !== 'ready') await client.connect();
          if ((await client.ping()) === 'PONG') return;
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      throw new Error(`redis-server did not start on port ${p} (is Debian's redis-server installed?)`);
    } finally {
      client.disconnect();
    }
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await start();
  return {
    url,
    port: p,
    stop,
    start,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
  };
}
