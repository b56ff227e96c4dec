'use strict';
/**
 * Why jest printed "A worker process has failed to exit gracefully": jest tells its worker to end
 * (message [2] on the IPC channel) and kills it if it has not exited 500 ms later. Loaded into every
 * node process of a run:
 *
 *   NODE_OPTIONS="--require ./tests/support/workerExitProbe.js" npm test
 *
 * In <PROBE_DIR or the temporary folder>:
 * - jest-worker-exit.log: each worker notes when it started, when it was told to end, when its event
 *   loop emptied (its 'exit' event, which a killed process never has) and when it was gone. A worker
 *   that started and was never told to end is one jest replaced (over workerIdleMemoryLimit) and then
 *   killed; one told to end with no 'exit' line was held by synchronous work.
 * - jest-worker-exit-<pid>.txt: a worker still alive 400 ms after it was told to end writes what holds
 *   it: the timers (with the lines that set them: timers are not handles to node, so setTimeout and
 *   setInterval are wrapped to note it), its other handles (sockets, child processes) and pending
 *   requests.
 *
 * It never keeps a worker alive itself (its timer is unref'd, its listener removed once used), and
 * leaves alone the processes that are not jest workers (no IPC channel). Plain JavaScript: it runs
 * before anything is compiled.
 */
if (process.send) {
  const { appendFileSync, writeFileSync } = require('node:fs');
  const { tmpdir } = require('node:os');
  const { join } = require('node:path');
  const { spawn } = require('node:child_process');
  const END = 2; // jest-worker's CHILD_MESSAGE_END
  const folder = process.env.PROBE_DIR || tmpdir();
  const log = join(folder, 'jest-worker-exit.log');
  const journal = (line) => appendFileSync(log, `${new Date().toISOString()} worker ${process.pid} ${line}\n`);

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

  journal('started');

  const onMessage = (message) => {
    if (!Array.isArray(message) || message[0] !== END) return;
    process.removeListener('message', onMessage);
    const toldAt = performance.now();
    journal('told to end');
    process.once('exit', () => {
      journal(`exit event ${Math.round(performance.now() - toldAt)} ms after; resources: ${process.getActiveResourcesInfo().join(', ') || 'none'}`);
      // What happens after the loop emptied is out of JavaScript's sight: a shell notes, if the process
      // is still there 300 ms later, each thread's state and what it waits in, and when it was gone.
      const pid = process.pid;
      const watch =
        `sleep 0.3; if kill -0 ${pid} 2>/dev/null; then for t in /proc/${pid}/task/*; do ` +
        `echo "  worker ${pid} after 300 ms: thread $(cat $t/comm 2>/dev/null), state $(cut -d' ' -f3 $t/stat 2>/dev/null), waiting in $(cat $t/wchan 2>/dev/null)"; done >> '${log}'; fi; ` +
        `while kill -0 ${pid} 2>/dev/null; do sleep 0.02; done; echo "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) worker ${pid} gone" >> '${log}'`;
      try {
        spawn('sh', ['-c', watch], { detached: true, stdio: 'ignore' }).unref();
      } catch {
        // No shell: the rest is noted all the same.
      }
    });
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
      writeFileSync(join(folder, `jest-worker-exit-${process.pid}.txt`), `${lines.join('\n')}\n`);
    }, 400).unref();
  };
  process.on('message', onMessage);
}
