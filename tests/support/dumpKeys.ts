import type Redis from 'ioredis';

/**
 * Every key under `prefix` with its value, as one JSON string: what someone reading the Redis would see.
 * For tests that check what is (and is not) stored.
 */
export async function dumpKeys(redis: Redis, prefix: string): Promise<string> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  keys.sort();
  const entries: Array<[string, unknown]> = [];
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === 'string') entries.push([key, await redis.get(key)]);
    else if (type === 'hash') entries.push([key, await redis.hgetall(key)]);
    else if (type === 'list') entries.push([key, await redis.lrange(key, 0, -1)]);
    else if (type === 'set') entries.push([key, (await redis.smembers(key)).sort()]);
    else if (type === 'zset') entries.push([key, await redis.zrange(key, 0, -1, 'WITHSCORES')]);
    else entries.push([key, type]);
  }
  return JSON.stringify(entries);
}

/** The prefix as a literal in a SCAN MATCH pattern. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
