import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a Direct Line token grants: one conversation, as one user, until it expires. */
export interface TokenClaims {
  /** Conversation id. */
  c: string;
  /** User id inside that conversation. */
  u: string;
  /** Expiry, ms since the epoch. */
  exp: number;
}

const b64 = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');

/** An unguessable id (≥ 128 bits of randomness). */
export const randomId = (bytes = 18): string => randomBytes(bytes).toString('base64url');

/**
 * Signed, self-contained tokens: `base64url(claims).base64url(hmac)`. Nothing is stored, so any
 * instance that shares the key can check them; a token opens only the conversation it names.
 */
export function createTokenService({ key, ttlMs, clock = Date.now }: { key: Buffer; ttlMs: number; clock?: () => number }) {
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest();
  return {
    ttlSeconds: Math.round(ttlMs / 1000),
    issue(conversationId: string, userId: string): string {
      const payload = b64(JSON.stringify({ c: conversationId, u: userId, exp: clock() + ttlMs, n: randomId(6) }));
      return `${payload}.${b64(sign(payload))}`;
    },
    /** The claims of a valid, unexpired token; undefined for anything else. */
    verify(token: string | undefined): TokenClaims | undefined {
      if (!token) return undefined;
      const [payload, mac, extra] = token.split('.');
      if (!payload || !mac || extra !== undefined) return undefined;
      const expected = sign(payload);
      const given = Buffer.from(mac, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      try {
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
        if (typeof claims.c !== 'string' || typeof claims.u !== 'string' || typeof claims.exp !== 'number') return undefined;
        return claims.exp > clock() ? claims : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;

/** `Authorization: Bearer <token>`. */
export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}
