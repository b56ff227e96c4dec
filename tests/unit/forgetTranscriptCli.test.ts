import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { deriveKeys } from '../../server/secrets';
import { conversationHash } from '../../services/funnel';
import { createSqliteAuditLog } from '../../services/audit/sqlite';
import type { HandoffQueue } from '../../services/handoff';
import { createRedisHandoffQueue } from '../../services/handoff/redis';
import { asyncQueue, createSqliteHandoffQueue } from '../../services/handoff/sqlite';
import { createRedisTranscriptStore } from '../../services/transcripts/redis';
import { createRedisAuditLog } from '../../services/audit/redis';
import { openDatabase } from '../../services/platform/openDatabase';
import type { TranscriptStore } from '../../services/transcripts';
import { createSqliteTranscriptStore } from '../../services/transcripts/sqlite';
import { freePort, testRedisUrl, uniquePrefix } from '../support/redis';

const root = join(__dirname, '..', '..');
const secret = 'ab'.repeat(32);
const auditKey = deriveKeys(Buffer.from(secret, 'hex')).audit;
const MINE = 'webchat/3kd9Zq|0001';
const OTHER = 'webchat/someone-else';

// Each run starts a Node process that compiles the script (tsx): a limit, not an assertion on timing.
jest.setTimeout(60_000);

/** Runs the real script, as `npm run transcripts:forget -- <args>` would. */
function forgetCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/forgetTranscript.ts', ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', SECRET_KEY: secret, LOG_LEVEL: 'silent', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** Two conversations, each with two lines and a ticket carrying them. */
async function arrange(transcripts: TranscriptStore, queue: HandoffQueue): Promise<Record<string, string>> {
  const tickets: Record<string, string> = {};
  for (const conversationId of [MINE, OTHER]) {
    await transcripts.append(conversationId, [
      { from: 'customer', text: `${conversationId} wants a person` },
      { from: 'bot', text: 'One moment' },
    ]);
    const { ticket } = await queue.enqueue({
      conversationId,
      reason: 'customerRequest',
      locale: 'zh-CN',
      context: { passed: { identity: false, oldCode: false, newCode: false } },
      transcript: await transcripts.recent(conversationId),
    });
    tickets[conversationId] = ticket;
  }
  return tickets;
}

describe('npm run transcripts:forget (SQLite)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'rebind-forget-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = () => ({ STORAGE: 'sqlite', DATA_DIR: dataDir });

  it('deletes the lines and ticket copies of one conversation, audited, and says how many (exit 0)', async () => {
    const db = openDatabase(join(dataDir, 'rebind.sqlite'));
    const transcripts = createSqliteTranscriptStore({ db });
    const queue = asyncQueue(createSqliteHandoffQueue({ db }));
    const audit = createSqliteAuditLog({ db, key: auditKey });
    const tickets = await arrange(transcripts, queue);

    const result = await forgetCli([MINE], env());
    expect(result).toMatchObject({ code: 0, stdout: `forgot 2 lines of ${MINE}\n` });

    expect(await transcripts.recent(MINE)).toEqual([]);
    expect((await queue.get(tickets[MINE] ?? ''))?.transcript).toEqual([]);
    expect(await transcripts.recent(OTHER)).toHaveLength(2);
    expect((await queue.get(tickets[OTHER] ?? ''))?.transcript).toHaveLength(2);
    expect((await audit.list()).filter((r) => r.type === 'transcript.forgotten')).toEqual([
      expect.objectContaining({ conversationId: conversationHash(`rebind/${MINE}`), data: { lines: 2, tickets: 1, via: 'cli' } }),
    ]);
    expect(await audit.verify()).toMatchObject({ ok: true });

    expect(await forgetCli([MINE], env())).toMatchObject({ code: 0, stdout: `forgot 0 lines of ${MINE}\n` });
    db.close();
  });

  it('exits 2 on bad usage', async () => {
    for (const args of [[], [MINE, OTHER]]) {
      const result = await forgetCli(args, env());
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^usage: npm run transcripts:forget -- <conversationId>/);
    }
  });

  it('exits 2 when there is no database, and creates none', async () => {
    const result = await forgetCli([MINE], env());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no database/);
    expect(existsSync(join(dataDir, 'rebind.sqlite'))).toBe(false);
  });
});

describe('npm run transcripts:forget (Redis)', () => {
  it('works on the Redis stores under REDIS_PREFIX', async () => {
    const redis = new Redis(testRedisUrl());
    const subscriber = redis.duplicate();
    const prefix = uniquePrefix('forgetcli');
    const transcripts = createRedisTranscriptStore({ redis, prefix });
    const queue = createRedisHandoffQueue({ redis, subscriber, prefix });
    try {
      const tickets = await arrange(transcripts, queue);
      const result = await forgetCli([MINE], { STORAGE: 'redis', REDIS_URL: testRedisUrl(), REDIS_PREFIX: prefix, DATA_DIR: tmpdir() });
      expect(result).toMatchObject({ code: 0, stdout: `forgot 2 lines of ${MINE}\n` });
      expect(await transcripts.recent(MINE)).toEqual([]);
      expect((await queue.get(tickets[MINE] ?? ''))?.transcript).toEqual([]);
      expect(await transcripts.recent(OTHER)).toHaveLength(2);
      const audit = createRedisAuditLog({ redis, prefix, key: auditKey });
      expect((await audit.list()).map((r) => [r.type, r.data])).toEqual([
        ['transcript.forgotten', { lines: 2, tickets: 1, via: 'cli' }],
      ]);
    } finally {
      await queue.shutdown();
      subscriber.disconnect();
      redis.disconnect();
    }
  });

  it('exits 2 when Redis cannot be reached', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const result = await forgetCli([MINE], { STORAGE: 'redis', REDIS_URL: url, DATA_DIR: tmpdir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot reach Redis/);
  });
});
