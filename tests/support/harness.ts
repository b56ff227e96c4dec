import { MemoryStorage, TestAdapter, TurnContext, type Activity, type Storage } from 'botbuilder';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config';
import type { RebindBot } from '../../bot/RebindBot';
import { startHandoffRelay, type HandoffRelay } from '../../bot/handoffRelay';
import Redis from 'ioredis';
import { testRedisUrl, uniquePrefix } from './redis';
import type { Recognizer } from '../../domain/recognizer';
import { createLogger, type LogLevel } from '../../services/platform/log';
import { SmsError, type SmsGateway, type SmsMessage } from '../../services/sms';
import { createBot } from '../../server/createBot';
import { createServices, type Services } from '../../server/createServices';
import { createTurnErrorHandler } from '../../server/turnErrorHandler';
import { startBankMock, type BankMock } from '../../scripts/bankMock';

/**
 * One-time codes for tests: a full-period sequence over 000000–999999, so codes are reproducible and
 * no two codes of a run are the same (a stale code is never by chance the fresh one).
 */
export function codeSequence(seed = 271828): (max: number) => number {
  let n = seed;
  return (max) => {
    n = (n * 21 + 7) % 1_000_000; // a ≡ 1 (mod 20), c coprime to 10: every value once per period
    return n % max;
  };
}

/** 2026-11-28 10:00 in Shanghai. */
export const START = Date.parse('2026-11-28T02:00:00Z');
const DEMO_SEED_PATH = join(__dirname, '..', '..', 'data', 'demo-bank.json');
export const TEST_SECRET = 'ab'.repeat(32);
/** The trained language model is cached here across test files (keyed by the training data). */
export const NLU_CACHE = join(tmpdir(), 'rebind-nlu-cache');
/** Agents the harness knows: ids a01 and a02 (tokens for the console API). */
export const TEST_AGENTS = {
  a01: { name: '王丽', token: 'tok-a01-aaaaaaaaaaaaaaaa' },
  a02: { name: 'Li Wei', token: 'tok-a02-bbbbbbbbbbbbbbbb' },
} as const;
export const TEST_AGENT_TOKENS = Object.entries(TEST_AGENTS)
  .map(([id, a]) => `${id}:${a.name}:${a.token}`)
  .join(',');

/** An SMS gateway that records what it sends, and can be told to fail. */
export class RecordingSms implements SmsGateway {
  readonly sent: SmsMessage[] = [];
  failNext = 0;
  async send(message: SmsMessage): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new SmsError('gateway down (test)');
    }
    this.sent.push(message);
  }
  to(phone: string): SmsMessage[] {
    return this.sent.filter((m) => m.to === phone);
  }
  /** The latest 6-digit code sent to a number. */
  lastCode(phone: string): string {
    const withCode = this.to(phone)
      .map((m) => /(\d{6})/.exec(m.text)?.[1])
      .filter((c): c is string => Boolean(c));
    const code = withCode.at(-1);
    if (!code) throw new Error(`no code was sent to ${phone}`);
    return code;
  }
}

/** Settings that turn every rate limit off, for tests about something else that send many messages fast. */
export const RATE_LIMITS_OFF = { RATE_LIMIT_MESSAGES: 'off', RATE_LIMIT_IDENTITY: 'off', RATE_LIMIT_CODES: 'off' } as const;

/** The conversation suites run twice in `npm test`: on the embedded defaults, then on Redis. */
export const ON_REDIS = process.env.REBIND_TEST_STORAGE === 'redis';
/** The conversation suites' third run: the bank core over HTTP, the reference server per harness. */
export const ON_HTTP_BANK = process.env.REBIND_TEST_BANK === 'http';
export const TEST_BANK_TOKEN = 'test-bank-token-0123456789';

export interface Harness {
  services: Services;
  /** On Redis: the key prefix of this harness's data (a second harness may reuse it). */
  redisPrefix?: string;
  /**
   * Everything the bot has stored, as text (every SQLite table of rebind.sqlite, or every Redis key
   * of this harness): for checks that no secret is ever kept.
   */
  storedText(): Promise<string>;
  bot: RebindBot;
  adapter: TestAdapter;
  sms: RecordingSms;
  /** Passes the agent side's queue events to conversations as proactive turns. */
  relay: HandoffRelay;
  /** On the HTTP bank (REBIND_TEST_BANK=http): its reference server, which records what it was asked. */
  bankMock?: BankMock;
  /** Waits until every proactive turn started so far has been delivered. */
  settle(): Promise<void>;
  /** Every log line the bot wrote (at debug level unless `logLevel` says otherwise). */
  logLines: string[];
  dataDir: string;
  now(): number;
  advance(ms: number): void;
  conversation(id?: string, locale?: string): Conversation;
  /** Closes the stores; the data directory stays until `dispose`. */
  close(): void;
  dispose(): void;
}

export interface Conversation {
  id: string;
  join(): Promise<Partial<Activity>[]>;
  say(text: string, activityId?: string): Promise<Partial<Activity>[]>;
  /** A channel event (e.g. `handoff.status` from an agent hub). */
  event(name: string, value: unknown): Promise<Partial<Activity>[]>;
  /**
   * Any activity from the customer's side (a postBack, a conversationUpdate…): the conversation, the
   * customer, the bot and the locale are filled in, and a fresh id unless the activity has one.
   */
  send(activity: Partial<Activity>): Promise<Partial<Activity>[]>;
  /** Proactive messages that reached the customer since the last call (after `settle`). */
  received(): Promise<Partial<Activity>[]>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /**
   * Conversation state: memory by default; 'sqlite' uses the real store in DATA_DIR. In the Redis
   * run (REBIND_TEST_STORAGE=redis) everything, conversation state included, is on Redis.
   */
  storage?: Storage | 'sqlite';
  dataDir?: string;
  /** In the Redis run: reuse another harness's data. */
  redisPrefix?: string;
  /** Start the clock here (to share time with an earlier harness). */
  start?: number;
  /** The level of the captured log lines (`logLines`): debug by default. */
  logLevel?: LogLevel;
  /** Wraps the real recogniser, e.g. to pin what one sentence is taken to mean. */
  wrapRecognizer?: (real: Recognizer) => Recognizer;
}

/** The whole bot in-process, on the real services, with memory state, a pinned clock and a fake SMS. */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'rebind-test-'));
  let now = options.start ?? START;
  const sms = new RecordingSms();
  const redisPrefix = ON_REDIS ? (options.redisPrefix ?? uniquePrefix('conv')) : undefined;
  const onRedisEnv: Record<string, string> = redisPrefix
    ? { STORAGE: 'redis', REDIS_URL: testRedisUrl(), REDIS_PREFIX: redisPrefix }
    : {};
  // On the HTTP bank: its reference server, with the bank in the data directory (a harness started
  // again on the same data finds the same bank, as the embedded one does).
  const bankMock = ON_HTTP_BANK
    ? await startBankMock({ seedPath: DEMO_SEED_PATH, dbPath: join(dataDir, 'bank-mock.sqlite'), token: TEST_BANK_TOKEN })
    : undefined;
  const onHttpBankEnv: Record<string, string> = bankMock
    ? { BANK_PROVIDER: 'http', BANK_HTTP_URL: bankMock.url, BANK_HTTP_TOKEN: TEST_BANK_TOKEN }
    : {};
  const config = loadConfig({
    DATA_DIR: dataDir,
    SECRET_KEY: TEST_SECRET,
    LOG_LEVEL: 'silent',
    BANK_SEED_PATH: DEMO_SEED_PATH,
    AGENT_TOKENS: TEST_AGENT_TOKENS,
    ...onRedisEnv,
    ...onHttpBankEnv,
    ...options.env,
  });
  const logLines: string[] = [];
  const logger = createLogger({ level: options.logLevel ?? 'debug', write: (line) => logLines.push(line), clock: () => now });
  const services = await createServices(config, logger, {
    clock: () => now,
    random: codeSequence(),
    sms,
    ...(options.storage === 'sqlite' || (ON_REDIS && options.storage === undefined)
      ? {}
      : { storage: options.storage ?? new MemoryStorage() }),
    strictContent: true,
    nluCacheDir: NLU_CACHE,
  });
  if (options.wrapRecognizer) services.recognizer = options.wrapRecognizer(services.recognizer);
  const bot = createBot(services);
  const adapter = new TestAdapter((ctx) => bot.run(ctx));
  adapter.onTurnError = createTurnErrorHandler(services);
  // Proactive turns: TestAdapter has no continueConversation; run the logic on an event activity of
  // the conversation and keep what it sends apart, per conversation, for `received()`.
  const inbox = new Map<string, Partial<Activity>[]>();
  bot.useProactive(async (reference, logic) => {
    const activity = TurnContext.applyConversationReference({ type: 'event', name: 'continueConversation' }, reference, true);
    await adapter.processActivity(activity, async (ctx) => {
      ctx.onSendActivities(async (_ctx, activities) => {
        const id = reference.conversation?.id ?? '';
        inbox.set(id, [...(inbox.get(id) ?? []), ...activities]);
        return activities.map(() => ({ id: '' }));
      });
      await logic(ctx);
    });
  });
  const relay = startHandoffRelay({
    queue: services.queue,
    bot,
    agentName: (agentId) => services.agents.nameOf(agentId) ?? agentId,
    logger,
    ...(services.claimDelivery ? { claimDelivery: services.claimDelivery } : {}),
  });
  const settle = async () => {
    // On Redis, queue events travel through pub/sub: first let them all arrive, then deliver them.
    await services.queueHeard();
    await relay.idle();
    await bot.queue.idle();
  };
  // Activity ids are unique per channel; a new harness on old data must not reuse them.
  const run = Math.random().toString(36).slice(2, 8);
  let nextId = 1;

  const conversation = (id = 'conv-1', locale = 'zh-CN'): Conversation => {
    const send = async (activity: Partial<Activity>) => {
      adapter.activeQueue.splice(0);
      await adapter.processActivity({
        channelId: 'test',
        conversation: { id, isGroup: false, conversationType: 'personal', name: '' },
        from: { id: `user-${id}`, name: 'Customer', role: 'user' },
        recipient: { id: 'rebind', name: 'Rebind', role: 'bot' },
        locale,
        ...activity,
      });
      return adapter.activeQueue.splice(0);
    };
    return {
      id,
      join: () =>
        send({
          type: 'conversationUpdate',
          id: `join-${run}-${nextId++}`,
          membersAdded: [{ id: `user-${id}`, name: 'Customer' }],
        }),
      say: (text, activityId) => send({ type: 'message', text, id: activityId ?? `act-${run}-${nextId++}` }),
      event: (name, value) => send({ type: 'event', name, value, id: `evt-${run}-${nextId++}` }),
      send: (activity) => send({ ...activity, id: activity.id ?? `act-${run}-${nextId++}` }),
      async received() {
        await settle();
        const got = inbox.get(id) ?? [];
        inbox.delete(id);
        return got;
      },
    };
  };

  const storedText = async (): Promise<string> => {
    if (redisPrefix) return dumpRedis(redisPrefix);
    const tables = services.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as Array<{ name: string }>;
    return tables.map((t) => JSON.stringify(services.db.prepare(`SELECT * FROM "${t.name}"`).all())).join('\n');
  };

  return {
    services,
    redisPrefix,
    storedText,
    bot,
    adapter,
    sms,
    relay,
    ...(bankMock ? { bankMock } : {}),
    settle,
    logLines,
    dataDir,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    conversation,
    close: () => {
      relay.stop();
      services.close();
      services.metrics.close();
      void bankMock?.close();
    },
    dispose: () => {
      relay.stop();
      services.close();
      services.metrics.close();
      void bankMock?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** channelData of a reply, typed loosely for assertions. */
export function cd(activity: Partial<Activity> | undefined): Record<string, unknown> {
  return (activity?.channelData ?? {}) as Record<string, unknown>;
}
export const keys = (replies: Partial<Activity>[]) => replies.map((r) => cd(r).key);
export const last = (replies: Partial<Activity>[]) => replies[replies.length - 1];
export const buttons = (a: Partial<Activity> | undefined) => (a?.suggestedActions?.actions ?? []).map((x) => String(x.value));

/** Every key under `prefix`, with its value whatever its type, as text. */
async function dumpRedis(prefix: string): Promise<string> {
  const redis = new Redis(testRedisUrl());
  try {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      for (const key of found) {
        const type = await redis.type(key);
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'list'
              ? await redis.lrange(key, 0, -1)
              : type === 'hash'
                ? await redis.hgetall(key)
                : type === 'zset'
                  ? await redis.zrange(key, 0, -1, 'WITHSCORES')
                  : type === 'set'
                    ? await redis.smembers(key)
                    : type;
        out.push(`${key} ${JSON.stringify(value)}`);
      }
    } while (cursor !== '0');
    return out.join('\n');
  } finally {
    redis.disconnect();
  }
}
