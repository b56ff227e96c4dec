/** @type {import('jest').Config} */
const base = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  // Type-checking happens once in `npm test` (tsc --noEmit); jest only transpiles.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Whole conversations on a loaded 2-core machine (and on Redis) can take more than jest's 5 s.
  testTimeout: 30_000,
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: base.testTimeout,
  // On 2 cores jest would run every suite in its own process, one after the other. The heap used to
  // grow with each suite (the memory rate limiter's timer per key held each test file's context for a
  // window, a minute to a day; services/limits/memory.ts has no timer now): after GC it now stays at
  // about 150–250 MB from suite to suite. The limit stays as a safety net: it makes jest use a worker
  // and start a fresh one whenever the heap is bigger than this after a suite. jest reads `heapUsed`,
  // garbage included, so that happens every minute or two of a full run, with nothing leaking.
  workerIdleMemoryLimit: '1GB',
  // How long jest waits for its worker to exit once told to, before it kills it and prints "A worker
  // process has failed to exit gracefully" (500 ms by default). The worker's loop empties at once (no
  // handle left open), but node then takes 0.3–0.7 s to tear down on this loaded 2-core machine (most
  // likely freeing a heap of up to about 1 GB), measured with tests/support/workerExitProbe.js
  // (docs/testing.md).
  workerGracefulExitTimeout: 3000,
  // Redis for the tests that run on it (.ci/run may start one and set TEST_REDIS_URL instead).
  globalSetup: '<rootDir>/tests/support/globalSetup.ts',
  globalTeardown: '<rootDir>/tests/support/globalTeardown.ts',
  // After the run: the statechart coverage written by tests/dialogs/chartCoverage.test.ts.
  reporters: ['default', '<rootDir>/tests/support/chartCoverageReporter.js'],
  projects: [
    {
      ...base,
      displayName: 'embedded',
      roots: ['<rootDir>/tests', '<rootDir>/domain', '<rootDir>/services', '<rootDir>/dialogs', '<rootDir>/bot', '<rootDir>/server', '<rootDir>/content'],
    },
    {
      // The conversation suites again, with every store (state, codes, limits, queue…) on Redis.
      ...base,
      displayName: 'conversations on redis',
      roots: ['<rootDir>/tests/conversations'],
      setupFiles: ['<rootDir>/tests/support/onRedis.ts'],
    },
    {
      // And again with the bank core over HTTP: the adapter against the reference server (bank:mock).
      ...base,
      displayName: 'conversations on the http bank',
      roots: ['<rootDir>/tests/conversations'],
      setupFiles: ['<rootDir>/tests/support/onHttpBank.ts'],
    },
  ],
};
