import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what was live after the last full collection before it
 * collects again, in percent. V8's own choice on a server is up to 300% (a factor of 4): under load the
 * bot's live heap is 55–90 MB, so the heap climbed to about 220 MB of mostly dead objects before each
 * full collection, and the process to about 400 MB. At 100% (a factor of 2) the peak is under 300 MB,
 * and the full collections it adds are short (the live set is small) and mostly run beside the event
 * loop: the benchmark measured no loss of throughput (docs/benchmark.md, "Memory").
 */
export const HEAP_GROWING_PERCENT = 100;

const FLAG = /^--heap[-_]growing[-_]percent(=|$)/;

/**
 * Sets V8's heap growing factor for this process, unless whoever started node chose one
 * (`node --heap-growing-percent=N …`): theirs stands. V8 reads the flag each time it sizes the heap
 * after a collection, so setting it at start-up takes effect. True when it was set here.
 */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv, set: (flags: string) => void = setFlagsFromString): boolean {
  if (execArgv.some((arg) => FLAG.test(arg))) return false;
  set(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
