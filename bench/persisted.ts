/**
 * What a conversation leaves behind in storage, measured after the load:
 *  - SQLite: the pages of every table and index of `rebind.sqlite` (SQLite's `dbstat`), read once the
 *    bot has stopped (its WAL is then checkpointed into the file), and the stored state rows;
 *  - Redis: `MEMORY USAGE` of every key under the bot's prefix, grouped by kind, and `used_memory`;
 *  - the echo bot: the JSON MemoryStorage holds.
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';

export interface Footprint {
  /** Everything the store holds for the bot, bytes (SQLite: pages of the file; Redis: MEMORY USAGE sum). */
  totalBytes: number;
  /** The conversation state alone (Bot Framework `Storage` rows / keys), bytes. */
  stateBytes: number;
  stateRows: number;
  /** Bytes by table (SQLite) or key kind (Redis), largest first. */
  parts: Array<{ name: string; bytes: number; rows?: number }>;
  /** Redis: `used_memory` of the server now (includes what is not the bot's). */
  usedMemory?: number;
  /** Redis: growth of `used_memory` from before the measured start to after the load. */
  usedMemoryGrowth?: number;
}

export function sqliteFootprint(dataDir: string): Footprint {
  const file = join(dataDir, 'rebind.sqlite');
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const pages = db
      .prepare<[], { name: string; tbl: string; bytes: number }>(
        `SELECT d.name AS name, COALESCE(m.tbl_name, d.name) AS tbl, SUM(d.pgsize) AS bytes
           FROM dbstat d LEFT JOIN sqlite_schema m ON m.name = d.name GROUP BY d.name`,
      )
      .all();
    const byTable = new Map<string, number>();
    for (const p of pages) byTable.set(p.tbl, (byTable.get(p.tbl) ?? 0) + p.bytes);
    const parts = [...byTable]
      .map(([name, bytes]) => {
        let rows: number | undefined;
        try {
          rows = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM "${name.replaceAll('"', '""')}"`).get()?.n;
        } catch {
          rows = undefined; // sqlite_schema and friends
        }
        return { name, bytes, ...(rows !== undefined ? { rows } : {}) };
      })
      .sort((a, b) => b.bytes - a.bytes);
    const state = db
      .prepare<[], { n: number; bytes: number | null }>(
        'SELECT COUNT(*) AS n, SUM(LENGTH(key) + LENGTH(etag) + LENGTH(value) + 8) AS bytes FROM conversation_state',
      )
      .get();
    const wal = `${file}-wal`;
    const fileBytes = statSync(file).size + (existsSync(wal) ? statSync(wal).size : 0);
    return { totalBytes: fileBytes, stateBytes: state?.bytes ?? 0, stateRows: state?.n ?? 0, parts };
  } finally {
    db.close();
  }
}

export async function redisUsedMemory(url: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return usedMemoryOf(await redis.info('memory'));
  } finally {
    redis.disconnect();
  }
}

function usedMemoryOf(info: string): number {
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

export async function redisFootprint(url: string, prefix: string): Promise<Footprint> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const byKind = new Map<string, { bytes: number; rows: number }>();
    for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>) {
      if (batch.length === 0) continue;
      const pipeline = redis.pipeline();
      for (const key of batch) pipeline.memory('USAGE', key, 'SAMPLES', '0');
      const results = (await pipeline.exec()) ?? [];
      batch.forEach((key, i) => {
        const kind = key.slice(prefix.length).split(':')[0] ?? '';
        const bytes = Number(results[i]?.[1] ?? 0);
        const k = byKind.get(kind) ?? { bytes: 0, rows: 0 };
        k.bytes += bytes;
        k.rows += 1;
        byKind.set(kind, k);
      });
    }
    const parts = [...byKind].map(([name, v]) => ({ name, ...v })).sort((a, b) => b.bytes - a.bytes);
    const storage = byKind.get('storage') ?? { bytes: 0, rows: 0 };
    return {
      totalBytes: parts.reduce((n, p) => n + p.bytes, 0),
      stateBytes: storage.bytes,
      stateRows: storage.rows,
      parts,
      usedMemory: usedMemoryOf(await redis.info('memory')),
    };
  } finally {
    redis.disconnect();
  }
}

/** The redis-server's process id (`INFO server`), to read its CPU time when it runs on this machine. */
export async function redisPid(url: string): Promise<number | undefined> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
    return Number.isFinite(pid) && pid > 0 ? pid : undefined;
  } finally {
    redis.disconnect();
  }
}

/** Removes every key under `prefix` (a Redis we did not start ourselves). */
export async function redisForget(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>) {
      if (batch.length > 0) await redis.unlink(...batch);
    }
  } finally {
    redis.disconnect();
  }
}
