import {
  AuthenticationConstants,
  AuthenticationError,
  BotFrameworkAuthentication,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type ClaimsIdentity,
  type ConnectorFactory,
  type UserTokenClient,
} from 'botframework-connector';
import type { Activity, ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
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
 */
export class GuardedAuthentication extends BotFrameworkAuthentication {
  constructor(
    private readonly inner: BotFrameworkAuthentication,
    private readonly enabled: boolean,
  ) {
    super();
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
    // The channel's client is built only if the turn sends through it (lazyConnector.ts).
    return result.connectorFactory ? { ...result, connectorFactory: lazyConnectorFactory(result.connectorFactory) } : result;
  }

  override async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    try {
      return await this.inner.authenticateStreamingRequest(authHeader, channelIdHeader);
    } catch (err) {
      throw asAuthenticationFailure(err);
    }
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.inner.createConnectorFactory(claimsIdentity);
  }

  /** Built when the turn first asks for a token (never, in this bot), not on every turn. */
  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return Promise.resolve(lazyUserTokenClient(() => this.inner.createUserTokenClient(claimsIdentity)));
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
