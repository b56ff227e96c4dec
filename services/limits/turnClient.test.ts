import { createTurnClients } from './turnClient';

test("a conversation's client is known during its turn only, even when the turn fails", async () => {
  const clients = createTurnClients();
  const seen: unknown[] = [];
  await clients.during('a', { user: 'test/u1', ip: '203.0.113.7' }, async () => {
    await Promise.resolve();
    seen.push(clients.of('a'), clients.of('b'));
  });
  expect(seen).toEqual([{ user: 'test/u1', ip: '203.0.113.7' }, {}]);
  expect(clients.of('a')).toEqual({});
  await expect(clients.during('a', { user: 'test/u2' }, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  expect(clients.of('a')).toEqual({});
});
