/**
 * `npm run audit:verify`: re-computes the audit log's hash chain (rebind.sqlite in DATA_DIR, or Redis
 * with STORAGE=redis) with the audit key derived from SECRET_KEY (or DATA_DIR/secret.key), and prints
 * one line. Exit 0: the log is intact. Exit 1: a record was edited, inserted, removed or moved, or the
 * tail was cut. Exit 2: it could not check (no database, no secret, Redis unreachable, bad settings).
 * Reads only: it never creates a database, a secret or a table.
 */
import { config as loadDotenv } from 'dotenv';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type Config } from '../config';
import { deriveKeys, loadMasterSecret } from '../server/secrets';
import type { AuditVerification } from '../services/audit/auditChain';
import { verifySqliteAudit } from '../services/audit/sqlite';
import { createRedisAuditLog } from '../services/audit/redis';
import { connectRedis, whenReady } from '../services/platform/redisClient';
import { openDatabase } from '../services/platform/openDatabase';

/** Something stopped the check itself (exit 2), as opposed to a log found tampered (exit 1). */
class CannotVerify extends Error {}

async function verify(config: Config): Promise<AuditVerification> {
  // loadMasterSecret would create a new random secret: with none, nothing could verify.
  if (!config.SECRET_KEY && !existsSync(join(config.DATA_DIR, 'secret.key'))) {
    throw new CannotVerify(`no SECRET_KEY and no ${join(config.DATA_DIR, 'secret.key')}`);
  }
  const key = deriveKeys(loadMasterSecret(config.SECRET_KEY, config.DATA_DIR)).audit;
  if (config.STORAGE === 'redis') {
    // Reading a long log may take longer than a turn's commands are allowed.
    const redis = connectRedis(config.REDIS_URL ?? '', { commandTimeout: 60_000 });
    redis.on('error', () => undefined); // whenReady reports it
    try {
      await whenReady(redis, 10_000);
      return await createRedisAuditLog({ redis, prefix: config.REDIS_PREFIX, key }).verify();
    } finally {
      redis.disconnect();
    }
  }
  const file = join(config.DATA_DIR, 'rebind.sqlite');
  if (!existsSync(file)) throw new CannotVerify(`no database at ${file}`);
  const db = openDatabase(file);
  try {
    return verifySqliteAudit(db, key);
  } finally {
    db.close();
  }
}

async function main(): Promise<number> {
  loadDotenv({ quiet: true });
  const result = await verify(loadConfig());
  if (result.ok) {
    process.stdout.write(`audit log OK: ${result.records} records\n`);
    return 0;
  }
  const where = result.at === undefined ? '' : ` at record ${result.at}`;
  process.stdout.write(`audit log TAMPERED: ${result.problem}${where} (${result.records} records)\n`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`audit:verify could not check the log: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
