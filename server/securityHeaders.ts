import { createHash, randomBytes } from 'node:crypto';
import type * as restify from 'restify';

/**
 * The security headers of every response: the web pages (the customer's page at `/`, the agent
 * console at `/agent`), their static assets, and the JSON APIs. One place, so the two pages cannot
 * drift apart on the basics.
 */

/** A Content-Security-Policy as data: directive → sources. */
export type CspDirectives = Record<string, readonly string[]>;

/** `default-src 'self'; script-src 'self'; …` (a directive without sources is written alone). */
export function serializeCsp(directives: CspDirectives): string {
  return Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join('; ');
}

/** On every response: no MIME sniffing, no referrer, no powerful browser features. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/**
 * What is not a page (JSON, event streams, 404s): nothing may run or be framed if a browser ever
 * renders it, and no cache keeps it (tokens, conversations, queue data). Pages and assets send
 * their own instead.
 */
const API_HEADERS: Readonly<Record<string, string>> = {
  ...BASE_HEADERS,
  'content-security-policy': serializeCsp({ 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] }),
  'cache-control': 'no-store',
};

/** Static assets (scripts, styles, images): the base headers and, should one be opened as a document, nothing runs. */
export const ASSET_HEADERS: Readonly<Record<string, string>> = {
  ...BASE_HEADERS,
  'content-security-policy': serializeCsp({
    'default-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
  }),
};

/**
 * A page's headers: its policy, no caching (the customer's page carries a fresh nonce each time), a
 * browsing context of its own. X-Frame-Options is the old browsers' frame-ancestors: it can say DENY
 * or SAMEORIGIN, never a list of sites, so it is left out when other sites may frame the page
 * (frame-ancestors supersedes it wherever CSP is understood).
 */
export function pageHeaders(csp: CspDirectives): Record<string, string> {
  const policy = csp['frame-ancestors'] ? csp : { ...csp, 'frame-ancestors': ["'none'"] }; // never framed unless said
  const ancestors = (policy['frame-ancestors'] ?? []).join(' ');
  const xfo = ancestors === "'none'" ? 'DENY' : ancestors === "'self'" ? 'SAMEORIGIN' : undefined;
  return {
    ...BASE_HEADERS,
    'content-security-policy': serializeCsp(policy),
    ...(xfo ? { 'x-frame-options': xfo } : {}),
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': 'no-store',
  };
}

/**
 * The agent console (`/agent`): its own scripts and styles only, never framed. It renders everything
 * with textContent and sets no style from markup, so it needs neither a nonce nor 'unsafe-inline'.
 */
export const CONSOLE_PAGE_HEADERS: Readonly<Record<string, string>> = pageHeaders({
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
});

/** A fresh CSP nonce: 128 random bits, base64. */
export const newNonce = (): string => randomBytes(16).toString('base64');

/**
 * The hash of the empty string, as a style source: it lets an EMPTY <style> element through, and
 * nothing else. Web Chat 4.18.1's transcript renders react-scroll-to-bottom's Composer without
 * passing on its `nonce`, so that library adds one <style> with no nonce. It is empty when added,
 * and its rules are then inserted through the CSSOM (insertRule), which CSP does not check: only
 * script can do that, and script-src is 'self'. Markup injected into the page cannot use it: a
 * <style> with any content in it does not match. Without it the transcript loses its scrolling.
 * (Web Chat's minified bundle adds all its <style> elements empty this way, so this hash alone would
 * let them in; the nonce is what admits styles written as text, as emotion does outside "speedy"
 * mode, and the browser test checks that every other <style> carries it.)
 */
export const EMPTY_STYLE_HASH = `'sha256-${createHash('sha256').update('').digest('base64')}'`;

/**
 * The customer's page (`/`). Checked in Chromium with Web Chat 4.18 (tests/browser/csp.test.ts):
 * - script-src 'self': Web Chat's bundle and the widget are files from this server; Web Chat runs
 *   without eval (its only `Function("return this")` is a fallback for engines without globalThis).
 * - style-src 'self' 'nonce-…' + EMPTY_STYLE_HASH: Web Chat (emotion) injects <style> elements at run
 *   time. The page gives the widget's <script> tag the response's nonce, the widget passes it to Web
 *   Chat (`nonce` prop), which puts it on the <style> elements it adds: no 'unsafe-inline'.
 * - connect-src 'self': the token endpoint and Direct Line (HTTP), and its WebSocket stream: CSP
 *   Level 3 lets 'self' match ws:/wss: on this host and port.
 *   Behind Azure Bot Service, Azure's Direct Line too (`connectSources`: its https: and wss: origin).
 * - img-src data: blob:: Web Chat's avatars and attachments.
 * - frame-ancestors: this site, and the bank's sites that embed the widget (WIDGET_ORIGINS).
 */
export function widgetPageHeaders(nonce: string, widgetOrigins: readonly string[], connectSources: readonly string[] = []): Record<string, string> {
  return pageHeaders({
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'", `'nonce-${nonce}'`, EMPTY_STYLE_HASH],
    'img-src': ["'self'", 'data:', 'blob:'],
    'connect-src': ["'self'", ...connectSources],
    'object-src': ["'none'"],
    'frame-ancestors': ["'self'", ...widgetOrigins],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
  });
}

export interface SecurityHeaderOptions {
  /** Believe `X-Forwarded-Proto` (a proxy of ours ends TLS): TRUST_PROXY_HOPS > 0. */
  trustProxy?: boolean;
}

/**
 * Gives every response the API headers, unless the route set its own (pages and assets do, and a
 * route's `res.header()` is never doubled), at the moment the headers go out (restify's 'header'
 * event). Adds Strict-Transport-Security when the request came over HTTPS: TLS here, or at a proxy
 * we trust. Browsers ignore it on plain HTTP, and a forged X-Forwarded-Proto is not believed.
 */
export function useSecurityHeaders(server: restify.Server, { trustProxy = false }: SecurityHeaderOptions = {}): void {
  server.pre((req, res, next) => {
    const forwardedHttps = trustProxy && String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() === 'https';
    const https = req.isSecure() || forwardedHttps;
    res.once('header', () => {
      for (const [name, value] of Object.entries(API_HEADERS)) if (!res.hasHeader(name)) res.setHeader(name, value);
      if (https) res.setHeader('strict-transport-security', 'max-age=31536000');
    });
    return next();
  });
}
