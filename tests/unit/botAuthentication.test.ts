import {
  AuthenticationConstants,
  BotFrameworkAuthentication,
  ClaimsIdentity,
  ConnectorClient,
  ConnectorFactory,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type UserTokenClient,
} from 'botframework-connector';
import type { Activity } from 'botbuilder';
import { GuardedAuthentication } from '../../server/botAuthentication';

/** The SDK's authentication as far as the adapter uses it: a fresh factory per request, counting clients. */
class CountingAuthentication extends BotFrameworkAuthentication {
  built: string[] = [];
  userTokenClients = 0;
  failNext = false;

  constructor(private readonly appId: string | undefined) {
    super();
  }

  private identity(): ClaimsIdentity {
    return new ClaimsIdentity(this.appId ? [{ type: AuthenticationConstants.AudienceClaim, value: this.appId }] : [], true);
  }

  override async authenticateRequest(): Promise<AuthenticateRequestResult> {
    return { audience: 'https://api.botframework.com', callerId: '', claimsIdentity: this.identity(), connectorFactory: this.createConnectorFactory() };
  }

  override async authenticateStreamingRequest(): Promise<AuthenticateRequestResult> {
    return { audience: 'https://api.botframework.com', callerId: '', claimsIdentity: this.identity() };
  }

  override createConnectorFactory(): ConnectorFactory {
    const outer = this;
    return new (class extends ConnectorFactory {
      async create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
        if (outer.failNext) {
          outer.failNext = false;
          throw new Error('credentials unavailable');
        }
        outer.built.push(`${serviceUrl} ${audience ?? ''}`);
        const client = new ConnectorClient({ signRequest: async (r: unknown) => r } as never, { baseUri: serviceUrl });
        // Sending answers here, as a channel would: the tests count clients, not requests.
        Object.assign(client.conversations, { sendToConversation: async () => ({ id: `sent via ${serviceUrl}` }) });
        return client;
      }
    })();
  }

  override async createUserTokenClient(): Promise<UserTokenClient> {
    this.userTokenClients += 1;
    return {} as UserTokenClient; // never called in these tests
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    throw new Error('not used');
  }
}

const activity = (serviceUrl: string) => ({ type: 'message', serviceUrl, channelId: 'test' }) as Activity;

/** An incoming turn that sends one message to its channel: the client is built (or shared) then. */
async function sendFrom(auth: GuardedAuthentication, serviceUrl: string): Promise<string | undefined> {
  const result = await auth.authenticateRequest(activity(serviceUrl), '');
  const client = await (result.connectorFactory as ConnectorFactory).create(serviceUrl, result.audience);
  return (await client.conversations.sendToConversation('c1', { type: 'message' } as Activity)).id;
}

test('a turn that never sends builds no client (expectReplies): the first send builds it', async () => {
  const inner = new CountingAuthentication(undefined);
  const auth = new GuardedAuthentication(inner, false);
  const result = await auth.authenticateRequest(activity('https://a.example/'), '');
  await (result.connectorFactory as ConnectorFactory).create('https://a.example/', result.audience);
  await auth.createUserTokenClient(result.claimsIdentity);
  expect(inner.built).toEqual([]);
  expect(inner.userTokenClients).toBe(0);
  expect(await sendFrom(auth, 'https://a.example/')).toBe('sent via https://a.example/');
  expect(inner.built).toHaveLength(1);
});

test('turns to the same service URL share one connector client; another URL gets its own', async () => {
  const inner = new CountingAuthentication(undefined);
  const auth = new GuardedAuthentication(inner, false);
  await sendFrom(auth, 'https://a.example/');
  await sendFrom(auth, 'https://a.example/');
  expect(await sendFrom(auth, 'https://b.example/')).toBe('sent via https://b.example/');
  expect(inner.built).toEqual(['https://a.example/ https://api.botframework.com', 'https://b.example/ https://api.botframework.com']);
});

test('proactive turns (createConnectorFactory) share the same clients as incoming ones', async () => {
  const inner = new CountingAuthentication('bot-app');
  const auth = new GuardedAuthentication(inner, true);
  const { claimsIdentity: incoming } = await inner.authenticateRequest();
  const viaTurn = await auth.createConnectorFactory(incoming).create('https://a.example/', 'aud');
  const again = await auth.createConnectorFactory(incoming).create('https://a.example/', 'aud');
  expect(again).toBe(viaTurn);
  expect(inner.built).toHaveLength(1);
});

test('only the most recently used clients are kept', async () => {
  const inner = new CountingAuthentication(undefined);
  const auth = new GuardedAuthentication(inner, false, { maxClients: 2 });
  await sendFrom(auth, 'https://a.example/');
  await sendFrom(auth, 'https://b.example/');
  await sendFrom(auth, 'https://a.example/'); // a is now the most recent
  await sendFrom(auth, 'https://c.example/'); // b goes
  await sendFrom(auth, 'https://a.example/');
  await sendFrom(auth, 'https://b.example/');
  expect(inner.built.map((b) => b.split(' ')[0])).toEqual(['https://a.example/', 'https://b.example/', 'https://c.example/', 'https://b.example/']);
});

test('a client that failed to build is not kept: the next turn builds it again', async () => {
  const inner = new CountingAuthentication(undefined);
  const auth = new GuardedAuthentication(inner, false);
  inner.failNext = true;
  await expect(sendFrom(auth, 'https://a.example/')).rejects.toThrow('credentials unavailable');
  await expect(sendFrom(auth, 'https://a.example/')).resolves.toBe('sent via https://a.example/');
  expect(inner.built).toHaveLength(1);
});

test('one user-token client per app id, built when first used', async () => {
  const inner = new CountingAuthentication('bot-app');
  const auth = new GuardedAuthentication(inner, true);
  const { claimsIdentity } = await inner.authenticateRequest();
  for (const tokens of [await auth.createUserTokenClient(claimsIdentity), await auth.createUserTokenClient(claimsIdentity)]) {
    await expect(tokens.getUserToken('u1', 'conn', 'test', '')).rejects.toThrow('not an operation');
  }
  expect(inner.userTokenClients).toBe(1);
});
