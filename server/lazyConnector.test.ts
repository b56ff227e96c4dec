import type { ConnectorClient, ConnectorFactory, UserTokenClient } from 'botframework-connector';
import { lazyConnectorFactory, lazyUserTokenClient } from './lazyConnector';

function countingFactory() {
  const made: Array<{ serviceUrl: string; audience?: string }> = [];
  const sent: unknown[][] = [];
  const factory = {
    async create(serviceUrl: string, audience?: string) {
      made.push({ serviceUrl, ...(audience ? { audience } : {}) });
      return {
        conversations: {
          async sendToConversation(...args: unknown[]) {
            sent.push(args);
            return { id: 'sent-1' };
          },
        },
      } as unknown as ConnectorClient;
    },
  } as unknown as ConnectorFactory;
  return { factory, made, sent };
}

test('the channel client is not built for a turn that never sends through it', async () => {
  const { factory, made } = countingFactory();
  const client = await lazyConnectorFactory(factory).create('https://channel.example', 'aud');
  expect(client).toBeDefined();
  expect(made).toEqual([]);
});

test('the first operation builds the real client once, with the same service URL and audience, and forwards the call', async () => {
  const { factory, made, sent } = countingFactory();
  const client = await lazyConnectorFactory(factory).create('https://channel.example', 'aud');
  await expect(client.conversations.sendToConversation('c1', { type: 'message' })).resolves.toEqual({ id: 'sent-1' });
  await client.conversations.sendToConversation('c1', { type: 'message', text: 'again' });
  expect(made).toEqual([{ serviceUrl: 'https://channel.example', audience: 'aud' }]);
  expect(sent).toEqual([['c1', { type: 'message' }], ['c1', { type: 'message', text: 'again' }]]);
});

test('an operation the real client does not have is a clear error, and a failed build fails the call', async () => {
  const { factory } = countingFactory();
  const client = await lazyConnectorFactory(factory).create('https://channel.example');
  await expect((client.conversations as unknown as { nope(): Promise<void> }).nope()).rejects.toThrow('not an operation');
  const failing = { create: () => Promise.reject(new Error('no credentials')) } as unknown as ConnectorFactory;
  const broken = await lazyConnectorFactory(failing).create('https://channel.example');
  await expect(broken.conversations.sendToConversation('c1', { type: 'message' } as never)).rejects.toThrow('no credentials');
});

test('the user token client is built on its first call only', async () => {
  let built = 0;
  const tokens = lazyUserTokenClient(async () => {
    built += 1;
    return { getUserToken: async (userId: string) => ({ token: `t-${userId}` }) } as unknown as UserTokenClient;
  });
  expect(built).toBe(0);
  await expect(tokens.getUserToken('u1', 'conn', 'channel', '')).resolves.toEqual({ token: 't-u1' });
  await tokens.getUserToken('u2', 'conn', 'channel', '');
  expect(built).toBe(1);
});
