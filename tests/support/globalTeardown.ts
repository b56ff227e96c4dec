/** Stops the Redis the global setup started, if it started one. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__REBIND_REDIS__?.stop();
}
