/**
 * The replies of a MULTI … EXEC (or a pipeline) as plain values, throwing the first command error:
 * ioredis reports them per command, which is easy to overlook.
 */
export function execAll<T = unknown>(results: Array<[Error | null, unknown]> | null): T[] {
  // null: the transaction was aborted (a WATCHed key changed). No caller WATCHes, so this is a bug.
  if (!results) throw new Error('Redis transaction aborted');
  return results.map(([err, value]) => {
    if (err) throw err;
    return value as T;
  });
}
