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
        return new ConnectorClient({ signRequest: async (r: unknown) => r } as never, { baseUri: serviceUrl });
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

async function clientFor(auth: GuardedAuthentication, serviceUrl: string): Promise<ConnectorClient> {
  const result = await auth.authenticateRequest(activity(serviceUrl), '');
  return (result.connectorFactory as ConnectorFactory).create(serviceUrl, result.audience);
}

test('turns to the same service URL share one connector client; another URL gets its own', async () => {
  const inner = new CountingAuthentication(undefined);
  const auth = new GuardedAuthentication(inner, false);
  const a1 = await clientFor(auth, 'https://a.example/');
  const a2 = await clientFor(auth, 'https://a.example/');
  const b = await clientFor(auth, 'https://b.example/');
  expect(a2).toBe(a1);
  expect(b).not.toBe(a1);
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
  const a = await clientFor(auth, 'https://a.example/');
  await clientFor(auth, 'https://b.example/');
  expect(await clientFor(auth, 'https://a.example/')).toBe(a); // a is now the most recent
  await clientFor(auth, 'https://c.example/'); // b goes
  expect(await clientFor(auth, 'https://a.example/')).toBe(a);
  await clientFor(auth, 'https://b.example/');
  expect(inner.built.map((b) => b.split(' ')[0])).toEqual(['https://a.example/', 'https://b.example/', 'https://c.example/', 'https://b.example/']);
});

test('a client that failed to build is not kept: the next turn builds it again', async () => {
  const inner = new CountingAuthentication(undefined);
  const auth = new GuardedAuthentication(inner, false);
  inner.failNext = true;
  await expect(clientFor(auth, 'https://a.example/')).rejects.toThrow('credentials unavailable');
  await expect(clientFor(auth, 'https://a.example/')).resolves.toBeInstanceOf(ConnectorClient);
  expect(inner.built).toHaveLength(1);
});

test('one user-token client per app id', async () => {
  const inner = new CountingAuthentication('bot-app');
  const auth = new GuardedAuthentication(inner, true);
  const { claimsIdentity } = await inner.authenticateRequest();
  expect(await auth.createUserTokenClient(claimsIdentity)).toBe(await auth.createUserTokenClient(claimsIdentity));
  expect(inner.userTokenClients).toBe(1);
});
