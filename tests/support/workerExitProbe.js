'use strict';
/**
 * What keeps a jest worker alive after its last suite. jest tells each worker to end (message [2] on
 * its IPC channel) and, if it has not exited 500 ms later, kills it and prints "A worker process has
 * failed to exit gracefully". Loaded into every node process of a run:
 *
 *   NODE_OPTIONS="--require ./tests/support/workerExitProbe.js" npm test
 *
 * a worker still alive 400 ms after that message writes what is still open: the timers that hold it
 * (where each was set: timers are not handles to Node, so setTimeout and setInterval are wrapped to
 * note it), its other handles (sockets with their ports, child processes) and pending requests, to
 * <PROBE_DIR or the temporary folder>/jest-worker-exit-<pid>.txt. Its own timer is unref'd, so it never
 * keeps a worker alive itself; processes that are not jest workers (no IPC channel) are left alone.
 * Plain JavaScript: it runs before anything is compiled.
 */
if (process.send) {
  const { writeFileSync } = require('node:fs');
  const { tmpdir } = require('node:os');
  const { join } = require('node:path');
  const END = 2; // jest-worker's CHILD_MESSAGE_END

  // Every timer set, with where it was set; the ones fired or cleared are dropped now and then.
  const timers = new Map();
  const noted = (original) =>
    function noteWhere(...args) {
      const timer = original.apply(this, args);
      timers.set(timer, new Error('set').stack.split('\n').slice(2, 8).join('\n'));
      if (timers.size > 2000) for (const t of timers.keys()) if (t._destroyed) timers.delete(t);
      return timer;
    };
  globalThis.setTimeout = noted(globalThis.setTimeout);
  globalThis.setInterval = noted(globalThis.setInterval);

  const describe = (handle) => {
    const parts = [handle && handle.constructor ? handle.constructor.name : typeof handle];
    if (handle._handle && handle._handle.fd !== undefined) parts.push(`fd ${handle._handle.fd}`);
    if (handle.localPort) parts.push(`local port ${handle.localPort}`);
    if (handle.remotePort) parts.push(`remote port ${handle.remotePort}`);
    if (handle.spawnfile) parts.push(`child ${handle.spawnargs.join(' ')}`);
    return parts.join(' ');
  };

  const onMessage = (message) => {
    if (!Array.isArray(message) || message[0] !== END) return;
    // Ours must not hold the channel open once jest has let go of it.
    process.removeListener('message', onMessage);
    setTimeout(() => {
      const lines = [
        `jest worker ${process.pid} still alive 400 ms after it was told to end`,
        `resources: ${process.getActiveResourcesInfo().join(', ')}`,
        'timers that hold it, where each was set:',
        ...[...timers]
          .filter(([t]) => !t._destroyed && t.hasRef())
          .map(([t, stack]) => `every ${t._idleTimeout} ms${t._repeat ? ' (repeating)' : ''}\n${stack}`),
        'handles:',
        ...process._getActiveHandles().map(describe),
        'requests:',
        ...process._getActiveRequests().map(describe),
      ];
      writeFileSync(join(process.env.PROBE_DIR || tmpdir(), `jest-worker-exit-${process.pid}.txt`), `${lines.join('\n')}\n`);
    }, 400).unref();
  };
  process.on('message', onMessage);
}
