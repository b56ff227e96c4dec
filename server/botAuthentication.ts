import {
  AuthenticationConstants,
  AuthenticationError,
  BotFrameworkAuthentication,
  ConnectorFactory,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';
import type { Activity, ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config';
import { lazyConnectorFactory, lazyUserTokenClient } from './lazyConnector';

/**
 * The SDK's settings from ours. Where the signing keys are published can be moved
 * (`ToBotFrom*OpenIdMetadataUrl`: a mirror, a test's key server); the SDK then takes every other
 * setting of its "custom cloud" as given, so the rest are filled in with the public Azure values.
 */
export function botAuthenticationOptions(config: Config): ConfigurationBotFrameworkAuthenticationOptions {
  const options: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: config.MicrosoftAppId,
    MicrosoftAppPassword: config.MicrosoftAppPassword,
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId,
  };
  if (!config.ToBotFromChannelOpenIdMetadataUrl && !config.ToBotFromEmulatorOpenIdMetadataUrl) return options;
  return {
    ...options,
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: config.ToBotFromChannelOpenIdMetadataUrl ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: config.ToBotFromEmulatorOpenIdMetadataUrl ?? AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: 'urn:botframework:azure', // CallerIdConstants.PublicAzureChannel
  };
}

/** The Bot Connector's key service (its OpenID metadata or keys) could not be reached: try again later. */
export class AuthenticationUnavailableError extends Error {
  override readonly name = 'AuthenticationUnavailableError';
}

/** Names of the errors `jsonwebtoken` throws for a token that does not verify. */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

/**
 * The SDK's authentication with two guards around `authenticateRequest`, so that a token can only be
 * accepted, refused (`AuthenticationError` → 401) or not checkable now (`AuthenticationUnavailableError`
 * → 503), never a 500:
 * - before it: a token must look like one the Bot Connector issues (a JWT signed with RS256/384/512,
 *   with a `kid`, `iss`, `aud` and `exp` of the right types). `alg: none`, HMAC, garbage and odd claim
 *   types are refused here, without a network call;
 * - after it: `jsonwebtoken`'s own errors (a bad signature, `nbf`, `exp`) become 401, as does anything
 *   else the check throws; failing to fetch the signing keys becomes 503.
 * With no app id (local mode) the SDK lets every request in, and so does this.
 *
 * It also keeps the clients the SDK would build afresh for every turn. CloudAdapter asks for a
 * connector client (and a user-token client) on every activity, even when the replies go back in the
 * HTTP response (`expectReplies`); each is a new Azure request pipeline with its policies and its
 * credentials. One per bot app id, service URL and audience serves every turn (as the SDK's older
 * BotFrameworkAdapter did): a client holds no conversation's data, and its credentials then reuse
 * their token. The last `maxClients` are kept (in local mode the service URL is the caller's to choose).
 */
export class GuardedAuthentication extends BotFrameworkAuthentication {
  private readonly connectors: ClientCache<ConnectorClient>;
  private readonly userTokenClients: ClientCache<UserTokenClient>;

  constructor(
    private readonly inner: BotFrameworkAuthentication,
    private readonly enabled: boolean,
    { maxClients = 64 }: { maxClients?: number } = {},
  ) {
    super();
    this.connectors = new ClientCache(maxClients);
    this.userTokenClients = new ClientCache(maxClients);
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    if (this.enabled) {
      const problem = tokenProblem(authHeader);
      if (problem !== undefined) throw new AuthenticationError(`Unauthorized: ${problem}.`, 401);
    }
    let result: AuthenticateRequestResult;
    try {
      result = await this.inner.authenticateRequest(activity, authHeader);
    } catch (err) {
      throw asAuthenticationFailure(err);
    }
    // The channel's client is built only if the turn sends through it (lazyConnector.ts), and then
    // shared with the turns before and after it.
    const { connectorFactory } = result;
    return connectorFactory
      ? {
          ...result,
          connectorFactory: lazyConnectorFactory(new SharedConnectorFactory(connectorFactory, appIdOf(result.claimsIdentity), this.connectors)),
        }
      : result;
  }

  override async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    try {
      return await this.inner.authenticateStreamingRequest(authHeader, channelIdHeader);
    } catch (err) {
      throw asAuthenticationFailure(err);
    }
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return new SharedConnectorFactory(this.inner.createConnectorFactory(claimsIdentity), appIdOf(claimsIdentity), this.connectors);
  }

  /** Built when a turn first asks for a token (never, in this bot), then shared, not built on every turn. */
  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return Promise.resolve(
      lazyUserTokenClient(() => this.userTokenClients.get(appIdOf(claimsIdentity), () => this.inner.createUserTokenClient(claimsIdentity))),
    );
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }
}

/**
 * The bot's app id the SDK's clients are made for (as its own factories read it): the token's audience
 * from a channel, its `appid` from the Emulator, none for an unauthenticated request in local mode.
 */
function appIdOf(claimsIdentity: ClaimsIdentity): string {
  return (
    claimsIdentity.getClaimValue(AuthenticationConstants.AudienceClaim) ??
    claimsIdentity.getClaimValue(AuthenticationConstants.AppIdClaim) ??
    ''
  );
}

/** Clients by key, the most recently used `max` of them; a client that failed to build is not kept. */
class ClientCache<T> {
  private readonly entries: LRUCache<string, Promise<T>>;

  constructor(max: number) {
    this.entries = new LRUCache({ max });
  }

  get(key: string, make: () => Promise<T>): Promise<T> {
    let entry = this.entries.get(key);
    if (!entry) {
      const made = make();
      made.catch(() => {
        if (this.entries.peek(key) === made) this.entries.delete(key);
      });
      this.entries.set(key, made);
      entry = made;
    }
    return entry;
  }
}

/** The SDK's connector factory for one app id, its clients shared through the cache. */
class SharedConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly appId: string,
    private readonly cache: ClientCache<ConnectorClient>,
  ) {
    super();
  }

  create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    return this.cache.get(JSON.stringify([this.appId, serviceUrl, audience ?? null]), () => this.inner.create(serviceUrl, audience));
  }
}

/** What the SDK threw while checking a token, as a refusal (401) or "cannot check now" (503). */
function asAuthenticationFailure(err: unknown): Error {
  const name = err instanceof Error ? err.name : '';
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  // The keys could not be fetched: the SDK says so with a 5xx AuthenticationError or node-fetch's error.
  if (name === 'FetchError' || (err instanceof AuthenticationError && typeof status === 'number' && status >= 500)) {
    return new AuthenticationUnavailableError('The Bot Connector signing keys could not be fetched.', { cause: err });
  }
  if (err instanceof AuthenticationError) return err;
  if (TOKEN_ERRORS.has(name)) return new AuthenticationError('Unauthorized: the token does not verify.', 401);
  return new AuthenticationError('Unauthorized.', 401);
}

const ALGORITHMS = new Set(AuthenticationConstants.AllowedSigningAlgorithms);
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Why an Authorization header cannot hold a Bot Connector token, or undefined when it might. Checks
 * only the form: the signature, issuer, audience and times are the SDK's to check.
 */
export function tokenProblem(authHeader: string): string | undefined {
  const m = /^Bearer +(\S+) *$/i.exec(authHeader.trim());
  if (!m) return 'no bearer token';
  const parts = (m[1] as string).split('.');
  if (parts.length !== 3 || !parts.every((p) => p.length <= 8192 && SEGMENT.test(p))) return 'not a signed JWT';
  const header = jsonSegment(parts[0] as string);
  const payload = jsonSegment(parts[1] as string);
  if (header === undefined || payload === undefined) return 'not a signed JWT';
  if (typeof header.alg !== 'string' || !ALGORITHMS.has(header.alg)) return 'signing algorithm not allowed';
  if (typeof header.kid !== 'string' || header.kid === '') return 'no key id';
  if (typeof payload.iss !== 'string') return 'no issuer';
  if (!(typeof payload.aud === 'string' || (Array.isArray(payload.aud) && payload.aud.every((a) => typeof a === 'string')))) {
    return 'no audience';
  }
  if (typeof payload.exp !== 'number') return 'no expiry';
  for (const claim of ['nbf', 'iat'] as const) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'number') return `bad ${claim}`;
  }
  for (const claim of ['appid', 'azp', 'ver', 'serviceurl', 'tid'] as const) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'string') return `bad ${claim}`;
  }
  return undefined;
}

function jsonSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
