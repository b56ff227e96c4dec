/**
 * `npm run bench`: Rebind under load over HTTP, beside a plain Bot Framework echo bot on the same
 * machine, in the same run.
 *
 *   npm run bench                         32 customers, 20 s per target after a 5 s warm-up
 *   npm run bench -- --customers 64 --seconds 30 --warmup 5
 *   npm run bench -- --only peer,sqlite   targets: echo, peer, sqlite, redis (redis when one can be had)
 *   npm run bench -- --quick              8 customers, 5 s, 2 s warm-up, one round (a smoke run)
 *   npm run bench -- --rounds 5           each target 5 times, taking turns; the median run counts (default 3)
 *   npm run bench -- --profile            the bots run under `node --cpu-prof` (bench/profiles/)
 *   npm run bench -- --logs warn          the bots log at that level into bench/logs/ (default: silent)
 *   npm run bench -- --gc                 the bots run with --trace-gc: GC pauses during the load
 *   npm run bench -- --soak               capacity (a full-load run of sqlite, --seconds), then sqlite at half
 *                                         that rate for 10 min (--soak-minutes M, or --rate N turns/s to skip
 *                                         the capacity run), its RSS sampled every 5 s: soak-latest.json, .svg
 *   npm run bench -- --node-args '…'      more node options for Rebind's process (e.g. '-r ./bench/probes/loop.js')
 *
 * Each target is its own process, started twice (the second start is the cold start reported),
 * warmed up, then driven by N customers at once, each through whole conversations back to back:
 * join, the request, card, ID, current number, "it still receives SMS", its code (read from the
 * outbox), new number, its code, confirm. The echo bot gets the same turns with the same words.
 * Figures are printed and written to bench/results/ (<timestamp>.json; latest.json and latest.svg
 * after a full run). Rebind's target (at least the peer's turns/s, a p99 no worse, no errors) is
 * measured and reported, never asserted.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import { freePort, startRedisServer, type RedisProcess } from '../tests/support/redis';
import { renderChart } from './chart';
import { HttpClient, pacer, quantile, runLoad, TURNS_PER_CONVERSATION, type LoadResult } from './load';
import { OutboxTail } from './outbox';
import { redisFootprint, redisForget, redisPid, redisUsedMemory, sqliteFootprint, type Footprint } from './persisted';
import { formatSummary, summariseFile, type ProfileSummary } from './profileSummary';
import { benchCustomer, preseedBank, writeSeedFile, type BenchCustomer } from './seed';
import { renderSoakChart, summariseRss, type RssSample } from './soak';
import { cpuMsOf, getStatus, postStatus, REPO, startTarget, type RunningTarget } from './target';
import { installModel, measureUnderstanding } from './understanding';

type TargetName = 'echo' | 'peer' | 'sqlite' | 'redis';
const ALL: TargetName[] = ['echo', 'peer', 'sqlite', 'redis'];
/** The SDK's own bots: the echo sample, and the same flow as the samples write it (bench/peerBot.ts). */
const SDK_BOTS: Record<'echo' | 'peer', string> = { echo: 'bench/echoBot.ts', peer: 'bench/peerBot.ts' };

interface Options {
  customers: number;
  seconds: number;
  warmup: number;
  only: TargetName[];
  quick: boolean;
  profile: boolean;
  pool: number;
  /** Run the bots with --trace-gc and report their GC pauses during the measured load. */
  gc: boolean;
  /** LOG_LEVEL of the bots, their output kept in bench/logs/; undefined: silent. */
  logs?: string;
  /** --soak: minutes at a set rate, the rate (turns/s; undefined: half the measured capacity). */
  soak?: { minutes: number; rate?: number };
  /** More options for node when it starts Rebind (--node-args '--max-semi-space-size=4 -r ./bench/probes/loop.js'). */
  nodeArgs: string[];
  /**
   * Every target runs this many times, the targets taking turns (echo, peer, sqlite, redis, echo, …);
   * each target's figures are those of its median run by turns/s. A VM's speed drifts by 10–15% within
   * minutes: targets measured side by side, more than once, compare what the code does, not when it ran.
   */
  rounds: number;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || (v.startsWith('--') && name !== 'node-args')) throw new Error(`--${name} needs a value`);
    return v;
  };
  const number = (name: string, def: number, min: number): number => {
    const v = value(name);
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}`);
    return n;
  };
  const known = new Set(['--customers', '--seconds', '--warmup', '--only', '--quick', '--profile', '--pool', '--logs', '--gc', '--node-args', '--soak', '--soak-minutes', '--rate', '--rounds']);
  argv.forEach((a, i) => {
    if (a.startsWith('--') && !known.has(a) && argv[i - 1] !== '--node-args') throw new Error(`unknown option ${a}`);
    if (!a.startsWith('--') && !(argv[i - 1] ?? '').startsWith('--')) throw new Error(`unexpected argument ${a}`);
  });
  const quick = argv.includes('--quick');
  const soak = argv.includes('--soak')
    ? { minutes: number('soak-minutes', 10, 0.5), ...(value('rate') !== undefined ? { rate: number('rate', 0, 1) } : {}) }
    : undefined;
  if (!soak && (value('soak-minutes') !== undefined || value('rate') !== undefined)) throw new Error('--soak-minutes and --rate go with --soak');
  const customers = Math.floor(number('customers', quick ? 8 : 32, 1));
  // The soak's capacity run is a short one.
  const seconds = number('seconds', quick ? 5 : soak ? 10 : 20, 1);
  const warmup = number('warmup', quick ? 2 : 5, 0);
  const only = (soak ? 'sqlite' : (value('only') ?? ALL.join(',')))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean) as TargetName[];
  for (const t of only) if (!ALL.includes(t)) throw new Error(`--only: ${t} is not one of ${ALL.join(', ')}`);
  // Every Rebind conversation needs a customer of its own (each target has its own copy of the
  // bank). 4 conversations per customer per second (1,152 turns/s with 32 customers) ran out when the
  // peer reached 1,260 turns/s, cutting its run short: 8 leaves room for twice that.
  // The soak needs one for every conversation of its minutes, at half the capacity it measures (up to
  // 600 turns/s; a 10-minute soak at 396 turns/s ran out of 24,400) or at --rate.
  const soakPool = soak ? Math.ceil(((soak.minutes * 60 + 10) * (soak.rate ?? 600) * 1.2) / TURNS_PER_CONVERSATION) : 0;
  const pool = Math.floor(number('pool', Math.max(2000, soakPool, Math.ceil(customers * (seconds + warmup) * 8)), 10));
  const logs = value('logs');
  if (logs !== undefined && !['debug', 'info', 'warn', 'error'].includes(logs)) throw new Error('--logs: debug, info, warn or error');
  // A profile, a GC trace or logs are of one run; a quick run is one round.
  const single = quick || argv.includes('--profile') || argv.includes('--gc') || logs !== undefined;
  const rounds = Math.floor(number('rounds', single ? 1 : 3, 1));
  return {
    customers,
    seconds,
    warmup,
    only,
    quick,
    profile: argv.includes('--profile'),
    gc: argv.includes('--gc'),
    pool,
    ...(logs ? { logs } : {}),
    ...(soak ? { soak } : {}),
    nodeArgs: (value('node-args') ?? '').split(' ').filter(Boolean),
    rounds,
  };
}

interface TargetFigures {
  name: TargetName;
  /** With --rounds: every run's turns/s, in order (the other figures are the median run's). */
  roundsTurnsPerSecond?: number[];
  turns: number;
  conversations: number;
  errors: number;
  errorSamples: string[];
  /** The bank ran out of fresh customers before the time was up: the figures undercount (raise --pool). */
  exhausted: boolean;
  seconds: number;
  turnsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  peakRssBytes?: number;
  /**
   * CPU time of the bot's process per turn (user + system, every thread), ms: what a turn costs,
   * whatever else the machine is doing. 1000 / this is the turns/s one core could give.
   */
  cpuMsPerTurn?: number;
  /** CPU time of redis-server per turn, ms (when the bench started it on this machine). */
  redisCpuMsPerTurn?: number;
  /** CPU time of the bench itself (the customers' side) per turn, ms. */
  clientCpuMsPerTurn: number;
  coldStartMs: number;
  /** The first start of the target in this run (the loader's cache may be cold, files are created). */
  firstStartMs: number;
  /** Conversations whose state is in storage (warm-up and measured, finished or cut off at the end). */
  storedConversations: number;
  persistedBytesPerConversation: number;
  stateBytesPerConversation: number;
  footprint?: Footprint;
  profile?: { file: string; window: { fromMs?: number; toMs?: number }; summary: ProfileSummary };
  /** --gc: pauses during the measured load, by kind (Scavenge, Mark-Compact, …): count, total and longest, ms. */
  gcPauses?: Record<string, { count: number; totalMs: number; maxMs: number }>;
}

const SCRUB = [
  'PORT', 'MicrosoftAppId', 'MicrosoftAppPassword', 'MicrosoftAppType', 'MicrosoftAppTenantId', 'DATA_DIR', 'STORAGE',
  'REDIS_URL', 'REDIS_PREFIX', 'BANK_SEED_PATH', 'SECRET_KEY', 'SMS_PROVIDER', 'SMS_OUTBOX_PATH', 'SMS_HTTP_URL',
  'SMS_HTTP_TIMEOUT_MS', 'SMS_RETRIES', 'BANK_TIMEOUT_MS', 'BANK_BREAKER_FAILURES', 'BANK_BREAKER_COOLDOWN_SECONDS',
  'OTP_TTL_SECONDS', 'OTP_MAX_ATTEMPTS', 'OTP_LOCK_MINUTES', 'OTP_RESEND_COOLDOWN_SECONDS', 'OTP_MAX_PER_HOUR',
  'OTP_MAX_PER_DAY', 'IDENTITY_MAX_ATTEMPTS', 'IDENTITY_LOCK_MINUTES', 'RATE_LIMIT_MESSAGES', 'RATE_LIMIT_IDENTITY',
  'RATE_LIMIT_CODES', 'TRUST_PROXY_HOPS', 'TRANSCRIPT_RETENTION_DAYS', 'SESSION_IDLE_MINUTES', 'LOCAL_DIRECT_LINE',
  'DIRECT_LINE_TOKEN_MINUTES', 'WIDGET_ORIGINS', 'AGENT_TOKENS', 'AGENT_HOURS', 'AGENT_TIMEZONE', 'HANDOFF_MODE',
  'HANDOFF_AVERAGE_MINUTES', 'LOG_LEVEL',
];

/**
 * The environment of a bot under test: this one's, with every setting of the bot emptied (empty
 * counts as unset, and dotenv never overrides a variable that exists, so a developer's .env cannot
 * leak in), then the bench's own.
 */
function botEnv(own: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('npm_')) env[k] = v;
  for (const k of SCRUB) env[k] = '';
  delete env.NODE_OPTIONS;
  return { ...env, ...own };
}

const MB = 1024 * 1024;
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');

async function reachableRedis(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const stamp = new Date().toISOString();
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  };
  const log = (line = '') => process.stdout.write(`${line}\n`);
  log(`Rebind bench — ${stamp}`);
  log(
    `${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverageAtStart.join(' ')}; ` +
      `${o.customers} customers at once, ${o.warmup} s warm-up + ${o.seconds} s per target`,
  );

  // Rebind runs compiled, as npm start runs it: build dist/ now if it is missing or older than the sources.
  const { build, needsBuild } = require('../scripts/start.js') as { build: () => boolean; needsBuild: () => boolean };
  if (needsBuild() && !build()) throw new Error('dist/ is missing or stale and typescript is not installed');
  const root = mkdtempSync(join(tmpdir(), 'rebind-bench-'));
  const cacheDir = join(REPO, 'bench', '.cache');
  const profileDir = join(REPO, 'bench', 'profiles');
  mkdirSync(cacheDir, { recursive: true });
  if (o.profile) mkdirSync(profileDir, { recursive: true });
  if (o.logs) mkdirSync(join(REPO, 'bench', 'logs'), { recursive: true });
  let redis: RedisProcess | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  // Ctrl-C reaches the bots too (same process group) and they stop; the data goes with them.
  process.once('SIGINT', () => {
    rmSync(root, { recursive: true, force: true });
    process.exit(130);
  });

  try {
    // Understanding first, on a quiet process: it also caches the language model every bot loads.
    log('\nunderstanding: time per utterance of the conversation (in this process)…');
    const understanding = await measureUnderstanding(cacheDir, benchCustomer(0));
    log(
      `  model from ${understanding.model.from} in ${understanding.model.ms} ms; mean per utterance: ` +
        `recogniser ${f1(understanding.meanUs.recognize)} µs + details ${f1(understanding.meanUs.details)} µs ` +
        `= ${f1(understanding.meanUs.total)} µs`,
    );

    // The bank: a customer of their own for every conversation, seeded once and copied per target.
    const customers: BenchCustomer[] = Array.from({ length: o.pool }, (_, k) => benchCustomer(k));
    const seedPath = writeSeedFile(root, customers);
    const template = join(root, 'bank-template');
    mkdirSync(template);
    preseedBank(template, seedPath);
    log(`bank: ${customers.length} bench customers (${(statSync(seedPath).size / MB).toFixed(1)} MB seed)`);

    const setup = (name: string): TargetSetup => ({
      root,
      template,
      seedPath,
      cacheDir,
      customers,
      ownRedis: false,
      prefix: 'rebind:',
      profileDir,
      stamp: `${stamp.replace(/[:.]/g, '-')}${name}`,
    });
    if (o.soak) {
      await runSoak(o, o.soak, setup(''), { stamp, machine, log });
      return;
    }

    const runs = new Map<TargetName, TargetFigures[]>();
    const skipped: Record<string, string> = {};
    for (let round = 1; round <= o.rounds; round += 1) {
      for (const name of ALL.filter((t) => o.only.includes(t) && skipped[t] === undefined)) {
        let redisUrl: string | undefined;
        let prefix = 'rebind:';
        if (name === 'redis') {
          const given = process.env.REDIS_URL || process.env.TEST_REDIS_URL;
          if (given && (await reachableRedis(given))) {
            redisUrl = given;
            prefix = `rebind-bench:${randomBytes(4).toString('hex')}:`;
            const url = given;
            const p = prefix;
            cleanups.push(() => redisForget(url, p));
          } else if (onPath('redis-server')) {
            redis = await startRedisServer();
            redisUrl = redis.url;
          } else {
            skipped.redis = given ? `${given} is not reachable and redis-server is not on PATH` : 'no REDIS_URL and no redis-server on PATH';
            log(`\nredis: skipped (${skipped.redis})`);
            continue;
          }
        }
        log(`\n${name}${o.rounds > 1 ? ` (round ${round} of ${o.rounds})` : ''}: starting…`);
        const result = await benchTarget(name, o, {
          ...(o.rounds > 1 ? { round } : {}),
          root,
          template,
          seedPath,
          cacheDir,
          customers,
          ...(redisUrl ? { redisUrl } : {}),
          ownRedis: redis !== undefined,
          prefix,
          profileDir,
          stamp: stamp.replace(/[:.]/g, '-'),
        });
        runs.set(name, [...(runs.get(name) ?? []), result]);
        log(
          `  ${f1(result.turnsPerSecond)} turns/s, p50 ${f1(result.latencyMs.p50)} ms, p99 ${f1(result.latencyMs.p99)} ms, ` +
            `${result.errors} errors, cold start ${result.coldStartMs.toFixed(0)} ms; CPU per turn: bot ` +
            `${result.cpuMsPerTurn !== undefined ? f2(result.cpuMsPerTurn) : '-'} ms` +
            (result.redisCpuMsPerTurn !== undefined ? `, redis-server ${f2(result.redisCpuMsPerTurn)} ms` : '') +
            `, bench client ${f2(result.clientCpuMsPerTurn)} ms`,
        );
        for (const e of result.errorSamples) log(`  error: ${e}`);
        if (result.gcPauses) {
          log(
            '  GC pauses during the load: ' +
              (Object.entries(result.gcPauses)
                .map(([kind, p]) => `${kind} ×${p.count}, ${p.totalMs.toFixed(0)} ms in all, longest ${p.maxMs.toFixed(1)} ms`)
                .join('; ') || 'none'),
          );
        }
        if (result.footprint) {
          const per = (b: number) => `${(b / Math.max(1, result.storedConversations) / 1024).toFixed(1)} KB`;
          log(
            `  stored per conversation (${result.storedConversations} conversations): ${per(result.footprint.totalBytes)} — ` +
              result.footprint.parts
                .slice(0, 6)
                .map((p) => `${p.name} ${per(p.bytes)}`)
                .join(', '),
          );
        }
        if (name === 'redis') {
          await redis?.stop();
          redis = undefined;
        }
      }
    }
    // Each target's median run by turns/s, with every run's turns/s beside it.
    const figures: TargetFigures[] = [...runs.values()].map((list) => {
      const sorted = [...list].sort((a, b) => a.turnsPerSecond - b.turnsPerSecond);
      const median = sorted[Math.floor((sorted.length - 1) / 2)] as TargetFigures;
      return { ...median, roundsTurnsPerSecond: list.map((r) => r.turnsPerSecond) };
    });

    const echo = figures.find((t) => t.name === 'echo');
    const peer = figures.find((t) => t.name === 'peer');
    const rows = figures.map((t) => {
      const turnsRatio = echo ? t.turnsPerSecond / echo.turnsPerSecond : Number.NaN;
      const p99Ratio = echo ? t.latencyMs.p99 / echo.latencyMs.p99 : Number.NaN;
      const peerTurnsRatio = peer ? t.turnsPerSecond / peer.turnsPerSecond : Number.NaN;
      const peerP99Ratio = peer ? t.latencyMs.p99 / peer.latencyMs.p99 : Number.NaN;
      return {
        ...t,
        turnsRatio,
        p99Ratio,
        peerTurnsRatio,
        peerP99Ratio,
        // Rebind's target: at least the peer's turns/s, a p99 no worse, no errors.
        meetsTarget: peer && t.name !== 'echo' && t.name !== 'peer' ? peerTurnsRatio >= 1 && peerP99Ratio <= 1 && t.errors === 0 : undefined,
      };
    });

    log('\n' + table(rows));
    log(
      `\nunderstanding per utterance (µs, recogniser + details parser): ` +
        understanding.perUtterance
          .map((u) => `${u.text.length > 12 ? u.text.slice(0, 10) + '…' : u.text} ${f1(u.recognizeUs + u.detailsUs)}`)
          .join(', '),
    );
    if (peer) {
      for (const r of rows.filter((x) => x.name === 'sqlite' || x.name === 'redis')) {
        const byRound = (r.roundsTurnsPerSecond ?? []).map((t, i) => t / (peer.roundsTurnsPerSecond?.[i] ?? Number.NaN));
        log(
          `target for ${r.name}: turns/s ${f2(r.peerTurnsRatio)}× the peer (≥ 1.00), p99 ${f2(r.peerP99Ratio)}× the peer (≤ 1.00), ` +
            `${r.errors} errors: ${r.meetsTarget ? 'met' : 'NOT met'}` +
            (byRound.length > 1 ? ` (round by round: ${byRound.map((x) => `${f2(x)}×`).join(', ')})` : ''),
        );
      }
    }
    for (const t of figures) {
      if (!t.profile) continue;
      const { file, window, summary } = t.profile;
      const short = {
        ...summary,
        selfByFunction: summary.selfByFunction.slice(0, 15),
        inclusiveOwn: summary.inclusiveOwn.slice(0, 15),
        selfByArea: summary.selfByArea.slice(0, 12),
        byNearestOwnArea: summary.byNearestOwnArea.slice(0, 15),
      };
      log(`\nprofile of ${t.name} (measured load only): ${file}`);
      log(
        `  again: npx tsx bench/profileSummary.ts ${file} ` +
          `--from-ms ${Math.round(window.fromMs ?? 0)} --to-ms ${Math.round(window.toMs ?? 0)} --turns ${t.turns}`,
      );
      log(formatSummary(short, t.turns));
    }

    const out = {
      at: stamp,
      machine: { ...machine, loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100) },
      options: { customers: o.customers, seconds: o.seconds, warmupSeconds: o.warmup, pool: o.pool, profile: o.profile },
      conversation: { turns: TURNS_PER_CONVERSATION, locale: 'zh-CN' },
      launch: 'Rebind: node dist/index.js (compiled, as npm start runs it); echo and peer: node --import tsx <entry>',
      targets: rows.map(({ profile, ...r }) => ({
        ...r,
        ...(profile ? { profile: { file: profile.file, window: profile.window } } : {}),
      })),
      skipped,
      understanding,
    };
    const resultsDir = join(REPO, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `${stamp.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
    // latest.* are the figures the README quotes: only a full, unprofiled run with the echo bot.
    const full = !o.quick && !o.profile && !o.logs && !o.gc && o.nodeArgs.length === 0 && echo !== undefined && peer !== undefined && figures.some((t) => t.name === 'sqlite');
    if (full) {
      writeFileSync(join(resultsDir, 'latest.json'), JSON.stringify(out, null, 2) + '\n');
      writeFileSync(
        join(resultsDir, 'latest.svg'),
        renderChart(
          figures.map((t) => ({
            name: t.name,
            turnsPerSecond: t.turnsPerSecond,
            p99Ms: t.latencyMs.p99,
            ...(t.cpuMsPerTurn !== undefined ? { cpuMsPerTurn: t.cpuMsPerTurn } : {}),
          })),
          `${stamp.slice(0, 10)} · ${machine.cpus} CPUs · Node ${machine.node} · ${o.customers} customers · ${o.seconds} s · load avg ${machine.loadAverageAtStart[0]}`,
        ),
      );
    }
    log(`\nresults: ${file}${full ? ' (and latest.json, latest.svg)' : ''}`);
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
    await redis?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

interface TargetSetup {
  root: string;
  template: string;
  seedPath: string;
  cacheDir: string;
  customers: BenchCustomer[];
  redisUrl?: string;
  /** The bench started this redis-server itself, on this machine: its CPU time can be read. */
  ownRedis: boolean;
  prefix: string;
  profileDir: string;
  /** Names this run's profile folders. */
  stamp: string;
  /** Which of several rounds (each has its own data). */
  round?: number;
}

async function benchTarget(name: TargetName, o: Options, s: TargetSetup): Promise<TargetFigures> {
  const dataDir = join(s.root, s.round ? `${name}-${s.round}` : name);
  mkdirSync(dataDir, { recursive: true });
  const isEcho = name === 'echo';
  /** One of the SDK's bots (echo, peer): ready when it answers a turn, its storage counted by /stats. */
  const sdkEntry = name === 'echo' || name === 'peer' ? SDK_BOTS[name] : undefined;
  if (sdkEntry === undefined) {
    copyFileSync(join(s.template, 'bank.sqlite'), join(dataDir, 'bank.sqlite'));
    installModel(s.cacheDir, dataDir);
  }
  const outboxPath = join(dataDir, 'sms-outbox.jsonl');
  const env = isEcho
    ? botEnv({ LOG_LEVEL: 'silent' })
    : name === 'peer'
      ? botEnv({ BANK_SEED_PATH: s.seedPath, SMS_OUTBOX_PATH: outboxPath })
      : botEnv({
        DATA_DIR: dataDir,
        BANK_SEED_PATH: s.seedPath,
        SECRET_KEY: randomBytes(32).toString('hex'),
        STORAGE: name === 'redis' ? 'redis' : 'sqlite',
        ...(name === 'redis' ? { REDIS_URL: s.redisUrl ?? '', REDIS_PREFIX: s.prefix } : {}),
        SMS_PROVIDER: 'outbox',
        SMS_OUTBOX_PATH: outboxPath,
        LOG_LEVEL: o.logs ?? 'silent',
        // The rate limits stay at their defaults: each bench customer is a new card, user and
        // conversation, and /api/messages does not count the client address (a channel's).
      });
  const join0 = {
    type: 'conversationUpdate',
    channelId: 'bench',
    serviceUrl: 'http://127.0.0.1:1/unused',
    conversation: { id: `ready-${name}` },
    from: { id: 'ready', role: 'user' },
    recipient: { id: 'bot', role: 'bot' },
    membersAdded: [{ id: 'ready' }],
    deliveryMode: 'expectReplies',
  };
  const runProfileDir = join(s.profileDir, `${s.stamp}-${name}${s.round ? `-${s.round}` : ''}`);
  // --trace-gc lines look like "[pid:0x…]   12345 ms: Mark-Compact 300.1 (320.0) -> 280.2 (321.0) MB, 95.31 / 0.00 ms  (…)".
  const gcPauses: NonNullable<TargetFigures['gcPauses']> = {};
  let countGc = false;
  const onGcLine = (line: string) => {
    const m = /ms: ([A-Za-z-]+(?: \(reduce\))?) .*?MB, ([\d.]+) \/ [\d.]+ ms/.exec(line);
    if (!m || !countGc) return;
    const kind = m[1] ?? '?';
    const ms = Number(m[2]);
    const k = (gcPauses[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
    k.count += 1;
    k.totalMs += ms;
    k.maxMs = Math.max(k.maxMs, ms);
  };
  const start = async (measured: boolean): Promise<RunningTarget> =>
    startTarget({
      name,
      // Rebind compiled, as npm start runs it; the SDK's bots from their TypeScript through tsx.
      entry: sdkEntry ?? 'dist/index.js',
      tsx: sdkEntry !== undefined,
      port: await freePort(),
      env,
      // The bot says when it is ready (/healthz); the SDK's bots are ready when they answer a turn.
      ready: sdkEntry !== undefined
        ? async (base) => (await postStatus(`${base}/api/messages`, join0)) === 200
        : async (base) => (await getStatus(`${base}/healthz`)) === 200,
      ...(measured && o.profile ? { profileDir: runProfileDir } : {}),
      ...(o.logs ? { logFile: join(REPO, 'bench', 'logs', `${s.stamp}-${name}.log`) } : {}),
      nodeArgs: [...(sdkEntry === undefined ? o.nodeArgs : []), ...(o.gc && measured ? ['--trace-gc'] : [])],
      ...(o.gc && measured ? { onLine: onGcLine } : {}),
    });

  // First start: creates the stores and warms the loader's cache. The second is the cold start reported.
  const first = await start(false);
  const firstStartMs = first.coldStartMs;
  await first.stop();
  const redisBefore = name === 'redis' && s.redisUrl ? await redisUsedMemory(s.redisUrl) : undefined;
  const serverPid = name === 'redis' && s.redisUrl && s.ownRedis ? await redisPid(s.redisUrl) : undefined;
  let redisCpuMs: number | undefined;
  const target = await start(true);

  const client = new HttpClient(target.base, o.customers);
  const outbox = new OutboxTail(outboxPath);
  let next = 0;
  const nextCustomer = isEcho
    ? () => s.customers[next++ % s.customers.length]
    : () => (next < s.customers.length ? s.customers[next++] : undefined);
  let fakeCode = 104_729;
  const codeFor = isEcho
    ? async () => String((fakeCode = (fakeCode * 7919 + 13) % 900_000) + 100_000)
    : (e164: string) => outbox.codeFor(e164);
  const load = (seconds: number, tag: string): Promise<LoadResult> =>
    runLoad({ client, concurrency: o.customers, seconds, tag: `${name}-${tag}`, nextCustomer, codeFor, check: !isEcho });

  let measured: LoadResult;
  let sdkStats: { conversations: number; bytes: number } | undefined;
  let peakRssBytes: number | undefined;
  let cpuMs: number | undefined;
  let clientCpuMs = 0;
  const loadWindow: { fromMs?: number; toMs?: number } = {};
  try {
    if (o.warmup > 0) {
      const warm = await load(o.warmup, 'warmup');
      if (warm.errors > 0) throw new Error(`${name}: ${warm.errors} errors in the warm-up, e.g. ${warm.errorSamples.join('\n  ')}`);
    }
    loadWindow.fromMs = performance.now() - target.spawnedAt;
    countGc = true;
    const cpuBefore = target.cpuMs();
    const redisCpuBefore = serverPid !== undefined ? cpuMsOf(serverPid) : undefined;
    const clientBefore = process.cpuUsage();
    measured = await load(o.seconds, 'run');
    const clientCpu = process.cpuUsage(clientBefore);
    clientCpuMs = (clientCpu.user + clientCpu.system) / 1000;
    const cpuAfter = target.cpuMs();
    loadWindow.toMs = performance.now() - target.spawnedAt;
    countGc = false;
    if (cpuBefore !== undefined && cpuAfter !== undefined) cpuMs = cpuAfter - cpuBefore;
    const redisCpuAfter = serverPid !== undefined ? cpuMsOf(serverPid) : undefined;
    if (redisCpuBefore !== undefined && redisCpuAfter !== undefined) redisCpuMs = redisCpuAfter - redisCpuBefore;
    if (measured.exhausted) {
      process.stdout.write(`  warning: the bank ran out of fresh customers (--pool ${o.pool}); raise --pool\n`);
    }
    peakRssBytes = target.peakRss();
    if (sdkEntry !== undefined) {
      const stats = await client.get('/stats');
      sdkStats = JSON.parse(stats.body) as { conversations: number; bytes: number };
    }
  } finally {
    client.close();
    await outbox.close();
    await target.stop();
  }

  let footprint: Footprint | undefined;
  let stored: number;
  if (sdkEntry !== undefined) {
    stored = sdkStats?.conversations ?? 0;
  } else {
    stored = next; // every customer taken started a conversation, kept in storage
    footprint = name === 'redis' ? await redisFootprint(s.redisUrl ?? '', s.prefix) : sqliteFootprint(dataDir);
    if (redisBefore !== undefined && footprint.usedMemory !== undefined) {
      footprint = { ...footprint, usedMemoryGrowth: footprint.usedMemory - redisBefore };
    }
  }
  const lat = measured.latencies;
  let profile: TargetFigures['profile'];
  if (o.profile) {
    // The main thread's profile is the largest: the others belong to tsx's loader worker.
    const file = readdirSync(runProfileDir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(runProfileDir, f))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0];
    if (file) profile = { file, window: loadWindow, summary: summariseFile(file, 30, loadWindow) };
  }
  return {
    name,
    turns: measured.turns,
    conversations: measured.conversations,
    errors: measured.errors,
    errorSamples: measured.errorSamples,
    exhausted: measured.exhausted,
    seconds: measured.elapsedMs / 1000,
    turnsPerSecond: measured.turns / (measured.elapsedMs / 1000),
    latencyMs: latencyFigures(lat),
    ...(peakRssBytes !== undefined ? { peakRssBytes } : {}),
    ...(cpuMs !== undefined ? { cpuMsPerTurn: cpuMs / Math.max(1, measured.turns) } : {}),
    ...(redisCpuMs !== undefined ? { redisCpuMsPerTurn: redisCpuMs / Math.max(1, measured.turns) } : {}),
    clientCpuMsPerTurn: clientCpuMs / Math.max(1, measured.turns),
    coldStartMs: target.coldStartMs,
    firstStartMs,
    storedConversations: stored,
    persistedBytesPerConversation:
      sdkEntry !== undefined ? (sdkStats?.bytes ?? 0) / Math.max(1, stored) : (footprint?.totalBytes ?? 0) / Math.max(1, stored),
    stateBytesPerConversation: sdkEntry !== undefined
      ? (sdkStats?.bytes ?? 0) / Math.max(1, stored)
      : (footprint?.stateBytes ?? 0) / Math.max(1, footprint?.stateRows ?? 1),
    ...(footprint ? { footprint } : {}),
    ...(profile ? { profile } : {}),
    ...(o.gc ? { gcPauses } : {}),
  };
}

/** The soak's warm-up (its RSS level is taken in the minute after it) and how often RSS is read. */
const SOAK_WARMUP_SECONDS = 60;
const SOAK_SAMPLE_SECONDS = 5;

/**
 * --soak: the capacity of the sqlite target (a full-load run, unless --rate is given), then a fresh
 * sqlite target driven at half that rate (a paced client: o.customers waiting, one turn per slot) for
 * the soak's minutes, its RSS read every few seconds. Written to bench/results/soak-latest.json and .svg.
 */
async function runSoak(
  o: Options,
  soak: NonNullable<Options['soak']>,
  s: TargetSetup,
  run: { stamp: string; machine: Record<string, unknown>; log: (line?: string) => void },
): Promise<void> {
  const { log } = run;
  let capacity: TargetFigures | undefined;
  if (soak.rate === undefined) {
    log(`\ncapacity: sqlite at full load, ${o.customers} customers, ${o.warmup} s warm-up + ${o.seconds} s…`);
    capacity = await benchTarget('sqlite', o, s);
    log(`  ${f1(capacity.turnsPerSecond)} turns/s, p99 ${f1(capacity.latencyMs.p99)} ms, ${capacity.errors} errors, peak RSS ${((capacity.peakRssBytes ?? 0) / MB).toFixed(0)} MB`);
  }
  const rate = soak.rate ?? (capacity as TargetFigures).turnsPerSecond / 2;
  log(`\nsoak: sqlite at ${f1(rate)} turns/s for ${soak.minutes} min (RSS every ${SOAK_SAMPLE_SECONDS} s; warm-up ${SOAK_WARMUP_SECONDS} s)…`);

  const dataDir = join(s.root, 'soak');
  mkdirSync(dataDir, { recursive: true });
  copyFileSync(join(s.template, 'bank.sqlite'), join(dataDir, 'bank.sqlite'));
  installModel(s.cacheDir, dataDir);
  const outboxPath = join(dataDir, 'sms-outbox.jsonl');
  const target = await startTarget({
    name: 'soak',
    entry: 'dist/index.js',
    tsx: false,
    port: await freePort(),
    env: botEnv({
      DATA_DIR: dataDir,
      BANK_SEED_PATH: s.seedPath,
      SECRET_KEY: randomBytes(32).toString('hex'),
      STORAGE: 'sqlite',
      SMS_PROVIDER: 'outbox',
      SMS_OUTBOX_PATH: outboxPath,
      LOG_LEVEL: o.logs ?? 'silent',
    }),
    ready: async (base) => (await getStatus(`${base}/healthz`)) === 200,
    nodeArgs: o.nodeArgs,
    ...(o.logs ? { logFile: join(REPO, 'bench', 'logs', `${s.stamp}-soak.log`) } : {}),
  });
  const client = new HttpClient(target.base, o.customers);
  const outbox = new OutboxTail(outboxPath);
  let next = 0;
  const samples: RssSample[] = [];
  const started = performance.now();
  const sample = () => {
    const rss = target.rss();
    if (rss !== undefined) samples.push({ t: Math.round(performance.now() - started) / 1000, rssBytes: rss });
  };
  sample();
  const sampler = setInterval(sample, SOAK_SAMPLE_SECONDS * 1000);
  let result: LoadResult;
  const cpuBefore = target.cpuMs();
  try {
    result = await runLoad({
      client,
      concurrency: o.customers,
      seconds: soak.minutes * 60,
      tag: 'soak',
      nextCustomer: () => (next < s.customers.length ? s.customers[next++] : undefined),
      codeFor: (e164) => outbox.codeFor(e164),
      check: true,
      pace: pacer(rate),
    });
    sample();
  } finally {
    clearInterval(sampler);
    client.close();
    await outbox.close();
  }
  const cpuAfter = target.cpuMs();
  const peakRssBytes = target.peakRss();
  await target.stop();

  const memory = summariseRss(samples, SOAK_WARMUP_SECONDS);
  const lat = result.latencies;
  const seconds = result.elapsedMs / 1000;
  const figures = {
    turns: result.turns,
    conversations: result.conversations,
    errors: result.errors,
    errorSamples: result.errorSamples,
    exhausted: result.exhausted,
    seconds,
    turnsPerSecond: result.turns / seconds,
    latencyMs: latencyFigures(lat),
    ...(cpuBefore !== undefined && cpuAfter !== undefined ? { cpuMsPerTurn: (cpuAfter - cpuBefore) / Math.max(1, result.turns) } : {}),
    ...(peakRssBytes !== undefined ? { peakRssBytes } : {}),
  };
  const mb = (b: number) => `${(b / MB).toFixed(0)} MB`;
  log(
    `  ${figures.turns} turns (${f1(figures.turnsPerSecond)}/s), ${figures.conversations} conversations, ${figures.errors} errors; ` +
      `p50 ${f1(figures.latencyMs.p50)} ms, p95 ${f1(figures.latencyMs.p95)} ms, p99 ${f1(figures.latencyMs.p99)} ms, max ${f1(figures.latencyMs.max)} ms`,
  );
  for (const e of result.errorSamples) log(`  error: ${e}`);
  if (result.exhausted) log(`  warning: the bank ran out of fresh customers (--pool ${o.pool}); raise --pool`);
  log(
    `  RSS: ${mb(memory.afterWarmupBytes)} after warm-up, ${mb(memory.endBytes)} at the end, highest after warm-up ` +
      `${mb(memory.maxAfterWarmupBytes)}, largest deviation ${(memory.maxDeviation * 100).toFixed(1)}%: ${memory.flat ? 'flat (within 10%)' : 'NOT flat'}; ` +
      `peak ${peakRssBytes !== undefined ? mb(peakRssBytes) : '-'}`,
  );

  const out = {
    at: run.stamp,
    machine: { ...run.machine, loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100) },
    options: { customers: o.customers, minutes: soak.minutes, warmupSeconds: SOAK_WARMUP_SECONDS, sampleSeconds: SOAK_SAMPLE_SECONDS, pool: o.pool },
    launch: 'Rebind: node dist/index.js (compiled, as npm start runs it)',
    ...(capacity
      ? { capacity: { turnsPerSecond: capacity.turnsPerSecond, seconds: capacity.seconds, errors: capacity.errors, p99Ms: capacity.latencyMs.p99, peakRssBytes: capacity.peakRssBytes } }
      : {}),
    rateTurnsPerSecond: rate,
    rateFrom: capacity ? 'half the measured capacity' : '--rate',
    ...figures,
    memory,
    rssSamples: samples,
  };
  const resultsDir = join(REPO, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `soak-${run.stamp.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  const svg = renderSoakChart(
    samples,
    memory,
    SOAK_WARMUP_SECONDS,
    `npm run bench -- --soak: RSS of the bot at ${f1(rate)} turns/s for ${soak.minutes} min`,
    `${run.stamp.slice(0, 10)} · sqlite · ${figures.turns} turns, ${figures.errors} errors · p99 ${f1(figures.latencyMs.p99)} ms · ` +
      `largest deviation ${(memory.maxDeviation * 100).toFixed(1)}% after warm-up`,
  );
  // soak-latest.* are the figures the README quotes: a run without extra node options or logs.
  const official = o.nodeArgs.length === 0 && !o.logs;
  if (official) {
    writeFileSync(join(resultsDir, 'soak-latest.json'), JSON.stringify(out, null, 2) + '\n');
    writeFileSync(join(resultsDir, 'soak-latest.svg'), svg);
  } else {
    writeFileSync(file.replace(/\.json$/, '.svg'), svg);
  }
  log(`\nresults: ${file}${official ? ' (and soak-latest.json, soak-latest.svg)' : ''}`);
}

function table(rows: Array<TargetFigures & { turnsRatio: number; p99Ratio: number; peerTurnsRatio: number; peerP99Ratio: number }>): string {
  const head = ['target', 'turns/s', '× peer', '× echo', 'p50 ms', 'p95 ms', 'p99 ms', 'p99 × peer', 'p99 × echo', 'CPU ms/turn', 'peak RSS', 'bytes/conv', 'state/conv', 'cold start', 'errors'];
  const body = rows.map((r) => [
    r.name,
    f1(r.turnsPerSecond),
    f2(r.peerTurnsRatio),
    f2(r.turnsRatio),
    f1(r.latencyMs.p50),
    f1(r.latencyMs.p95),
    f1(r.latencyMs.p99),
    f2(r.peerP99Ratio),
    f2(r.p99Ratio),
    r.cpuMsPerTurn !== undefined ? f2(r.cpuMsPerTurn) : '-',
    r.peakRssBytes !== undefined ? `${(r.peakRssBytes / MB).toFixed(0)} MB` : '-',
    r.persistedBytesPerConversation.toFixed(0),
    r.stateBytesPerConversation.toFixed(0),
    `${r.coldStartMs.toFixed(0)} ms`,
    String(r.errors),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

/** p50, p95, p99, max and mean of latencies sorted in ascending order, ms. */
function latencyFigures(lat: Float64Array): { p50: number; p95: number; p99: number; max: number; mean: number } {
  return {
    p50: quantile(lat, 0.5),
    p95: quantile(lat, 0.95),
    p99: quantile(lat, 0.99),
    max: quantile(lat, 1),
    mean: lat.reduce((a, b) => a + b, 0) / Math.max(1, lat.length),
  };
}
