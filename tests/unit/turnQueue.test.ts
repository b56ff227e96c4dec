import { TurnQueue } from '../../bot/turnQueue';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('tasks of one key run one at a time, in order; other keys run alongside', async () => {
  const q = new TurnQueue();
  const log: string[] = [];
  const task = (name: string, ms: number) => async () => {
    log.push(`${name}:start`);
    await tick(ms);
    log.push(`${name}:end`);
  };
  await Promise.all([q.run('a', task('a1', 20)), q.run('a', task('a2', 1)), q.run('b', task('b1', 1))]);
  expect(log.indexOf('a1:end')).toBeLessThan(log.indexOf('a2:start'));
  expect(log.indexOf('b1:end')).toBeLessThan(log.indexOf('a1:end'));
});

test('a failing task does not block the next one of the same key', async () => {
  const q = new TurnQueue();
  await expect(q.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  await expect(q.run('a', async () => 'next')).resolves.toBe('next');
});

test('idle() waits until nothing runs', async () => {
  const q = new TurnQueue();
  let done = false;
  void q.run('a', async () => {
    await tick(20);
    done = true;
  });
  expect(q.size).toBe(1);
  await q.idle();
  expect(done).toBe(true);
  expect(q.size).toBe(0);
});
