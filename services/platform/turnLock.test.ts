import Redis from 'ioredis';
import { testRedisUrl, uniquePrefix } from '../../tests/support/redis';
import { createRedisTurnLock, localTurnLock, LockTimeoutError } from './turnLock';

// No timing is asserted: the tests check order (who was inside when) and outcomes. Waits are only
// there to give a wrong implementation the chance to overlap.

const clients: Redis[] = [];
afterAll(() => clients.forEach((c) => c.disconnect()));

function connection(): Redis {
  const redis = new Redis(testRedisUrl());
  clients.push(redis);
  return redis;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A promise and the function that settles it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

test('two turns of one conversation on two instances never overlap', async () => {
  const prefix = uniquePrefix('lock');
  // Two instances: each its own connection.
  const locks = [0, 1].map(() => createRedisTurnLock({ redis: connection(), prefix }));
  const events: string[] = [];
  const turn = (name: string) => async () => {
    events.push(`enter ${name}`);
    await sleep(30);
    events.push(`exit ${name}`);
    return name;
  };
  const results = await Promise.all([
    locks[0]!.run('conv-1', turn('a')),
    locks[1]!.run('conv-1', turn('b')),
    locks[0]!.run('conv-1', turn('c')),
    locks[1]!.run('conv-1', turn('d')),
  ]);
  expect(results).toEqual(['a', 'b', 'c', 'd']);
  // Strictly alternating: every enter is followed by the exit of the same turn.
  expect(events).toHaveLength(8);
  for (let i = 0; i < events.length; i += 2) {
    expect(events[i + 1]).toBe(events[i]!.replace('enter', 'exit'));
  }
  expect(await clients[0]!.keys(`${prefix}*`)).toEqual([]);
});

test('turns of different conversations run side by side', async () => {
  const prefix = uniquePrefix('lock');
  const lock = createRedisTurnLock({ redis: connection(), prefix });
  const aInside = gate();
  const bInside = gate();
  const events: string[] = [];
  // Each waits for the other to be inside: with one lock for both keys this would never finish.
  await Promise.all([
    lock.run('conv-a', async () => {
      events.push('enter a');
      aInside.open();
      await bInside.opened;
      events.push('exit a');
    }),
    lock.run('conv-b', async () => {
      events.push('enter b');
      bInside.open();
      await aInside.opened;
      events.push('exit b');
    }),
  ]);
  expect(events.slice(0, 2).sort()).toEqual(['enter a', 'enter b']);
});

test("a dead holder's lock is taken once it lapses", async () => {
  const prefix = uniquePrefix('lock');
  const redis = connection();
  // An instance took the lock and died: nobody will release it.
  await redis.set(`${prefix}lock:conv-1`, 'dead-instance', 'PX', 150);
  const lock = createRedisTurnLock({ redis, prefix });
  let ran = false;
  await lock.run('conv-1', async () => {
    ran = true;
    expect(await redis.get(`${prefix}lock:conv-1`)).not.toBe('dead-instance');
  });
  expect(ran).toBe(true);
  expect(await redis.exists(`${prefix}lock:conv-1`)).toBe(0);
});

test('gives up with LockTimeoutError after waitMs, without running the task', async () => {
  const prefix = uniquePrefix('lock');
  const redis = connection();
  await redis.set(`${prefix}lock:conv-1`, 'busy-instance', 'PX', 60_000);
  const task = jest.fn(async () => 'ran');
  const run = createRedisTurnLock({ redis, prefix, waitMs: 50 }).run('conv-1', task);
  await expect(run).rejects.toBeInstanceOf(LockTimeoutError);
  await expect(run).rejects.toThrow('Lock "conv-1" still held');
  expect(task).not.toHaveBeenCalled();
  expect(await redis.get(`${prefix}lock:conv-1`)).toBe('busy-instance');
});

test("release never deletes someone else's lock (and the keep-alive never extends it)", async () => {
  const prefix = uniquePrefix('lock');
  const redis = connection();
  const key = `${prefix}lock:conv-1`;
  const warnings: string[] = [];
  const lock = createRedisTurnLock({ redis, prefix, ttlMs: 300, logger: { warn: (msg) => warnings.push(msg) } });
  await lock.run('conv-1', async () => {
    // As if our lock had lapsed during a long pause and another instance had taken it.
    await redis.set(key, 'other-instance', 'PX', 5000);
    // Until the keep-alive (every 100 ms) has found the lock is no longer ours.
    while (!warnings.includes('turn lock lost while its task ran')) await sleep(20);
  });
  expect(await redis.get(key)).toBe('other-instance');
  // Refreshing it as ours would have cut its TTL to 300 ms.
  expect(await redis.pttl(key)).toBeGreaterThan(1000);
});

test('keeps the lock while a task runs longer than the TTL', async () => {
  const prefix = uniquePrefix('lock');
  const redis = connection();
  const lock = createRedisTurnLock({ redis, prefix, ttlMs: 600 });
  await lock.run('conv-1', async () => {
    await sleep(1500);
    expect(await redis.exists(`${prefix}lock:conv-1`)).toBe(1);
  });
  expect(await redis.exists(`${prefix}lock:conv-1`)).toBe(0);
});

test('releases the lock when the task fails, and passes the error on', async () => {
  const prefix = uniquePrefix('lock');
  const redis = connection();
  const lock = createRedisTurnLock({ redis, prefix });
  await expect(lock.run('conv-1', async () => Promise.reject(new Error('turn failed')))).rejects.toThrow('turn failed');
  expect(await redis.exists(`${prefix}lock:conv-1`)).toBe(0);
  expect(await lock.run('conv-1', async () => 'next turn')).toBe('next turn');
});

test('localTurnLock just runs the task', async () => {
  expect(await localTurnLock.run('k', async () => 7)).toBe(7);
});
