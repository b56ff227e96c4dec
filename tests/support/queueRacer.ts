/**
 * Test support: a separate process working on the same SQLite file as the test, to race another one.
 * Run as `node --import tsx queueRacer.ts <file> <claim|enqueue> <agentId> <count> [asc|desc]`; prints "ready",
 * reads a start time (epoch ms) on stdin, spins until then (so both processes start together), then
 * prints one JSON result line.
 *   claim:   claims every waiting ticket as <agentId>, in queue order or (desc) from the back, so two
 *            racers going opposite ways meet in the middle and contend for the same tickets;
 *            prints { won: string[], lost: { [ticket]: reason } }
 *   enqueue: enqueues conversations c0…c<count-1>; prints { tickets: [ticket, created][] }
 */
import { openDatabase } from '../../services/platform/openDatabase';
import { createSqliteHandoffQueue } from '../../services/handoff/sqlite';

/** Spins for about 0.2 ms; a timer would be far coarser. */
function pause(): void {
  const until = process.hrtime.bigint() + 200_000n;
  while (process.hrtime.bigint() < until) {
    // spin
  }
}

const [file, mode, agentId, count, order = 'asc'] = process.argv.slice(2);
if (file === undefined || (mode !== 'claim' && mode !== 'enqueue') || agentId === undefined) {
  process.stderr.write('usage: queueRacer <file> <claim|enqueue> <agentId> <count> [asc|desc]\n');
  process.exit(2);
}
const db = openDatabase(file);
const queue = createSqliteHandoffQueue({ db });
const tickets = queue.waiting().map((t) => t.ticket);
if (order === 'desc') tickets.reverse();
process.stdout.write('ready\n');
process.stdin.once('data', (line: Buffer) => {
  const startAt = Number(line.toString().trim());
  while (Date.now() < startAt) {
    // spin: both racers start their loops at the same instant
  }
  if (mode === 'claim') {
    const won: string[] = [];
    const lost: Record<string, string> = {};
    for (const ticket of tickets) {
      pause(); // like an agent's console: claims spaced out, so the two racers' claims interleave
      const result = queue.claim(ticket, agentId);
      if (result.ok) won.push(ticket);
      else lost[ticket] = result.reason;
    }
    process.stdout.write(JSON.stringify({ won, lost }) + '\n');
  } else {
    const out: Array<[string, boolean]> = [];
    for (let i = 0; i < Number(count); i++) {
      const r = queue.enqueue({
        conversationId: `c${i}`,
        reason: 'customerRequest',
        locale: 'zh-CN',
        context: { passed: { identity: false, oldCode: false, newCode: false } },
      });
      out.push([r.ticket, r.created]);
    }
    process.stdout.write(JSON.stringify({ tickets: out }) + '\n');
  }
  db.close();
  process.stdin.destroy();
});
