/**
 * `npm run transcripts:forget -- <conversationId>`: deletion on request. Deletes the conversation's
 * masked transcript and blanks the transcript copies on its handoff tickets (the tickets stay), in the
 * store the bot uses (rebind.sqlite in DATA_DIR, or Redis with STORAGE=redis), with the bot's `.env`.
 * Writes the audit record `transcript.forgotten` (the conversation's hash, the counts, `via: cli`).
 * The id is the chart's, `<channel>/<conversation id>`, as the agent console shows it on a ticket.
 *
 * Prints `forgot N lines of <conversationId>`. Exit 0: done (N may be 0). Exit 2: bad usage, bad
 * settings, no database or no secret (it creates neither), Redis unreachable. Exit 1: the deletion
 * failed otherwise (the message says so; run it again: it is idempotent).
 */
import { config as loadDotenv } from 'dotenv';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type Config } from '../config';
import { deriveKeys, loadMasterSecret } from '../server/secrets';
import { createSqliteAuditLog } from '../services/audit/sqlite';
import { createRedisHandoffQueue } from '../services/handoff/redis';
import { asyncQueue, createSqliteHandoffQueue } from '../services/handoff/sqlite';
import { createLogger } from '../services/platform/log';
import { createRedisTranscriptStore } from '../services/transcripts/redis';
import { createRedisAuditLog } from '../services/audit/redis';
import { connectRedis, StoreUnavailableError, whenReady } from '../services/platform/redisClient';
import { openDatabase } from '../services/platform/openDatabase';
import { conversationIdFrom, forgetConversation, type Forgotten } from '../services/transcripts/forgetConversation';
import { createSqliteTranscriptStore } from '../services/transcripts/sqlite';

const USAGE = 'usage: npm run transcripts:forget -- <conversationId>   (e.g. webchat/3kd9Zq|0001)';

/** Something kept the deletion from starting (exit 2), as opposed to one that failed (exit 1). */
class CannotForget extends Error {}

async function forget(config: Config, conversationId: string): Promise<Forgotten> {
  // loadMasterSecret would create a new random secret: the audit record would then chain on a wrong key.
  if (!config.SECRET_KEY && !existsSync(join(config.DATA_DIR, 'secret.key'))) {
    throw new CannotForget(`no SECRET_KEY and no ${join(config.DATA_DIR, 'secret.key')}`);
  }
  const key = deriveKeys(loadMasterSecret(config.SECRET_KEY, config.DATA_DIR)).audit;
  const by = { via: 'cli' } as const;

  if (config.STORAGE === 'redis') {
    const prefix = config.REDIS_PREFIX;
    // Scanning a large Redis may take longer than a turn's commands are allowed.
    const redis = connectRedis(config.REDIS_URL ?? '', { commandTimeout: 60_000 });
    const subscriber = redis.duplicate({ lazyConnect: true });
    for (const connection of [redis, subscriber]) connection.on('error', () => undefined); // whenReady reports it
    try {
      try {
        await whenReady(redis, 10_000);
      } catch (error) {
        throw new CannotForget(`cannot reach Redis at REDIS_URL (${String(error)})`);
      }
      const queue = createRedisHandoffQueue({ redis, subscriber, prefix, logger: createLogger({ level: 'silent' }) });
      try {
        return await forgetConversation(
          {
            transcripts: createRedisTranscriptStore({ redis, prefix }),
            queue,
            audit: createRedisAuditLog({ redis, prefix, key }),
          },
          conversationId,
          by,
        );
      } finally {
        await queue.shutdown();
      }
    } finally {
      subscriber.disconnect();
      redis.disconnect();
    }
  }

  const file = join(config.DATA_DIR, 'rebind.sqlite');
  if (!existsSync(file)) throw new CannotForget(`no database at ${file}`);
  const db = openDatabase(file);
  try {
    return await forgetConversation(
      {
        transcripts: createSqliteTranscriptStore({ db }),
        queue: asyncQueue(createSqliteHandoffQueue({ db })),
        audit: createSqliteAuditLog({ db, key }),
      },
      conversationId,
      by,
    );
  } finally {
    db.close();
  }
}

async function main(args: string[]): Promise<number> {
  const conversationId = args.length === 1 ? conversationIdFrom(args[0]) : undefined;
  if (conversationId === undefined || conversationId.startsWith('-')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  loadDotenv({ quiet: true });
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    throw new CannotForget(error instanceof Error ? error.message : String(error));
  }
  const { lines } = await forget(config, conversationId);
  process.stdout.write(`forgot ${lines} lines of ${conversationId}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const cannot = err instanceof CannotForget || err instanceof StoreUnavailableError;
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`transcripts:forget ${cannot ? 'could not start' : 'failed'}: ${message}\n`);
    process.exit(cannot ? 2 : 1);
  },
);
