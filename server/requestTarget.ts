import type { IncomingMessage } from 'node:http';
import type * as restify from 'restify';
import { HttpError } from './httpErrors';

/**
 * The request's target read without ever throwing: its path (as sent) and its query. A target that
 * is not origin-form (`/path?query`, RFC 9112 §3.2.1), such as `http://host/…`, `*` or `//host/…`,
 * gives undefined.
 */
export function requestTarget(url: string | undefined): { path: string; query: URLSearchParams } | undefined {
  if (typeof url !== 'string' || !url.startsWith('/') || url.startsWith('//')) return undefined;
  const at = url.indexOf('?');
  const path = at === -1 ? url : url.slice(0, at);
  // URLSearchParams decodes leniently (a stray % stays as it is); it never throws on a string.
  return { path, query: new URLSearchParams(at === -1 ? '' : url.slice(at + 1)) };
}

/** One query parameter of a request, or undefined (also for a malformed target). */
export function queryParam(req: Pick<IncomingMessage, 'url'>, name: string): string | undefined {
  return requestTarget(req.url)?.query.get(name) ?? undefined;
}

/** `decodeURIComponent`, or undefined for malformed percent-encoding (which would throw). */
export function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * Refuses, before routing, every request whose target is not origin-form: no route of ours takes an
 * absolute URL, `*` or a protocol-relative `//host` path, and parsing one later could throw.
 */
export function useOriginFormTargets(server: restify.Server): void {
  server.pre((req: restify.Request, _res: restify.Response, next: restify.Next) => {
    if (requestTarget(req.url) === undefined) {
      next(new HttpError(400, 'BadTarget', 'The request target must be a path.'));
      return;
    }
    next();
  });
}
