import { createHash } from 'node:crypto';
import type Redis from 'ioredis';

/** A Lua script run atomically by Redis: nothing else runs between its first and last command. */
export interface LuaScript {
  readonly sha: string;
  run(redis: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown>;
}

/**
 * Runs `source` by its SHA1 (EVALSHA), sending the whole text (EVAL, which also caches it) only when
 * Redis answers NOSCRIPT: after a restart or a SCRIPT FLUSH. Typed, unlike `redis.defineCommand`, which
 * adds untyped methods to the client.
 *
 * Every key a script touches is passed in `keys` (Redis's rule for scripts; it also keeps them usable
 * on a cluster when the prefix carries a hash tag such as `{rebind}:`).
 */
export function luaScript(source: string): LuaScript {
  const sha = createHash('sha1').update(source, 'utf8').digest('hex');
  return {
    sha,
    async run(redis, keys, args) {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return redis.eval(source, keys.length, ...keys, ...args);
      }
    },
  };
}

/** Deletes KEYS[1] only if it still holds ARGV[1]: releases a lock or a claim this caller took. */
export const COMPARE_AND_DELETE = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * Lua shared by the scripts. Numbers go through `fmt` before they are stored or sent to a command:
 * Lua numbers are doubles, and '%.0f' writes a millisecond timestamp in full, never as 1.7e+12.
 */
export const LUA_COMMON = `
local function fmt(n) return string.format('%.0f', n) end
`;
