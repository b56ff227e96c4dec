import type { ConnectorClient, ConnectorFactory, UserTokenClient } from 'botframework-connector';

/**
 * The clients a turn may use to reach the channel, built when first used instead of on every turn.
 *
 * CloudAdapter builds a ConnectorClient (credentials, an Azure request pipeline) and a UserTokenClient
 * for every incoming activity, before the bot runs. Most turns never use them: with `expectReplies`
 * the replies go back in the HTTP answer, and the bot signs nobody in. Each client here is a stand-in
 * whose every operation is asynchronous, as the real one's are: the first call builds the real client
 * (once per turn), then forwards the call to it. A turn that sends to the channel gets exactly what it
 * got before, one call later.
 */
export function lazyConnectorFactory(factory: ConnectorFactory): ConnectorFactory {
  return {
    create: (serviceUrl: string, audience?: string) =>
      Promise.resolve(lazyClient(() => factory.create(serviceUrl, audience)) as ConnectorClient),
  } as ConnectorFactory;
}

export function lazyUserTokenClient(create: () => Promise<UserTokenClient>): UserTokenClient {
  return lazyOperations(once(create)) as UserTokenClient;
}

/** `client.conversations.sendToConversation(…)` and the like: groups of asynchronous operations. */
function lazyClient(create: () => Promise<ConnectorClient>): object {
  const real = once(create);
  const groups = new Map<PropertyKey, object>();
  return new Proxy(
    {},
    {
      get(_target, group) {
        // Not a promise: `await client` must give the client itself.
        if (group === 'then') return undefined;
        let operations = groups.get(group);
        if (!operations) {
          operations = lazyOperations(async () => (await real()) [group as keyof ConnectorClient] as object);
          groups.set(group, operations);
        }
        return operations;
      },
    },
  );
}

/** An object whose methods are called on what `resolve` gives, once it is there. */
function lazyOperations(resolve: () => Promise<object>): object {
  return new Proxy(
    {},
    {
      get(_target, name) {
        if (name === 'then') return undefined;
        return async (...args: unknown[]) => {
          const target = (await resolve()) as Record<PropertyKey, unknown>;
          const member = target[name];
          if (typeof member !== 'function') throw new TypeError(`${String(name)} is not an operation of the channel's client`);
          return (member as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    },
  );
}

function once<T>(create: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= create());
}
