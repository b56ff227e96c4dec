/**
 * `npm run report:funnel`: how far changes of number get, from the funnel events the bot stored
 * (rebind.sqlite in DATA_DIR, or Redis with STORAGE=redis): conversations that started a change, how
 * many reached each step, how they ended, and the containment rate. `--json` prints the figures as
 * JSON. Opens only the funnel store: no bot, no language model, no secret key needed.
 */
import { config as loadDotenv } from 'dotenv';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config';
import { computeFunnel, formatFunnel, type FunnelEvent } from '../services/funnel/funnel';
import { createRedisFunnelLog } from '../services/funnel/redis';
import { createSqliteFunnelLog } from '../services/funnel/sqlite';
import { connectRedis, whenReady } from '../services/platform/redisClient';
import { openDatabase } from '../services/platform/openDatabase';

async function readEvents(config: Config): Promise<{ from: string; events: FunnelEvent[] }> {
  if (config.STORAGE === 'redis') {
    // Reading a long list may take longer than a turn's commands are allowed.
    const redis = connectRedis(config.REDIS_URL ?? '', { commandTimeout: 60_000 });
    redis.on('error', () => undefined); // whenReady reports it
    try {
      await whenReady(redis, 10_000);
      return { from: `Redis (${config.REDIS_PREFIX}funnel)`, events: await createRedisFunnelLog({ redis, prefix: config.REDIS_PREFIX }).all() };
    } finally {
      redis.disconnect();
    }
  }
  const file = join(config.DATA_DIR, 'rebind.sqlite');
  if (!existsSync(file)) return { from: `${file} (not there yet)`, events: [] };
  const db = openDatabase(file);
  try {
    return { from: file, events: await createSqliteFunnelLog({ db }).all() };
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const { from, events } = await readEvents(loadConfig());
  const report = computeFunnel(events);
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify({ from, events: events.length, ...report }, null, 2) + '\n');
    return;
  }
  process.stdout.write(`Funnel of number changes — ${events.length} events from ${from}\n\n${formatFunnel(report)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `report:funnel failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
