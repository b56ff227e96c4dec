import { parse as parseContentType } from 'content-type';
import getRawBody from 'raw-body';
import type * as restify from 'restify';
import { HttpError } from './httpErrors';

/** The largest body any route takes, in bytes as sent (nothing is ever decompressed). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Request bodies, for every route: JSON only, at most {@link MAX_BODY_BYTES} as sent, never
 * decompressed. Replaces restify's bodyParser, whose gunzip stream has no error handler (a body that
 * is not gzip kills the process) and whose limit counts compressed bytes (a 51 KB bomb becomes 50 MB).
 *
 * Why refuse `Content-Encoding` instead of decompressing: no client of ours compresses what it posts.
 * Azure Bot Service posts activities as plain JSON, and so do the Emulator, `botframework-directlinejs`
 * and Web Chat (browsers never compress request bodies); the agent console is ours. So anything but
 * `identity` gets 415 with `Accept-Encoding: identity` (RFC 7694) before a byte of the body is read: a
 * decompression bomb costs nothing.
 *
 * A declared `Content-Length` over the limit gets 413 at once; a body without one is counted as it
 * comes (raw-body) and refused the moment it passes the limit. A refused body is not read on: the
 * answer says `Connection: close`. Bodies that are not JSON are left unread (`req.body` stays
 * undefined) and each route refuses them with its own 400.
 */
export function useJsonBodies(server: restify.Server, { limitBytes = MAX_BODY_BYTES }: { limitBytes?: number } = {}): void {
  server.use((req: restify.Request, res: restify.Response, next: restify.Next) => {
    const refuse = (err: HttpError) => {
      res.header('connection', 'close');
      next(err);
    };
    const encoding = contentEncoding(req.headers['content-encoding']);
    if (encoding !== 'identity') {
      res.header('accept-encoding', 'identity');
      refuse(new HttpError(415, 'UnsupportedEncoding', 'Send the body uncompressed (Content-Encoding: identity).'));
      return;
    }
    const declared = req.headers['content-length'];
    const length = declared === undefined ? undefined : Number(declared);
    if (length !== undefined && length > limitBytes) {
      refuse(new HttpError(413, 'TooLarge', `The body is larger than ${limitBytes} bytes.`));
      return;
    }
    const hasBody = (length !== undefined && length > 0) || req.headers['transfer-encoding'] !== undefined;
    const type = jsonType(req.headers['content-type']);
    if (!hasBody || type === undefined) {
      next();
      return;
    }
    if (type.charset !== undefined && type.charset !== 'utf-8') {
      refuse(new HttpError(415, 'UnsupportedCharset', 'Send JSON in UTF-8.'));
      return;
    }
    getRawBody(req, { limit: limitBytes, length, encoding: 'utf-8' }, (err, text) => {
      if (err) {
        refuse(readError(err, limitBytes));
        return;
      }
      const parsed = parseJson(text);
      if (parsed === undefined) {
        next(new HttpError(400, 'BadJson', 'The body is not valid JSON (an object or an array).'));
        return;
      }
      req.body = parsed.value;
      next();
    });
  });
}

/** `identity` for no header, an empty one or `identity`; otherwise what was sent, lower-cased. */
function contentEncoding(header: string | string[] | undefined): string {
  const value = (Array.isArray(header) ? header.join(',') : (header ?? '')).trim().toLowerCase();
  return value === '' || value === 'identity' ? 'identity' : value;
}

/** For `application/json` or `application/<anything>+json`: its charset (lower-cased, when given). */
function jsonType(header: string | undefined): { charset?: string } | undefined {
  if (header === undefined) return undefined;
  try {
    const { type, parameters } = parseContentType(header);
    if (!/^application\/(?:[\w.-]+\+)?json$/.test(type)) return undefined;
    const charset = parameters.charset?.toLowerCase();
    return charset === undefined ? {} : { charset: charset === 'utf8' ? 'utf-8' : charset };
  } catch {
    return undefined; // a malformed Content-Type is not JSON
  }
}

/** A JSON object or array (strict, as JSON APIs take); undefined for anything else. */
function parseJson(text: string): { value: unknown } | undefined {
  const first = /^[\s\uFEFF]*(.)/.exec(text)?.[1];
  if (first === undefined) return { value: {} }; // an empty body: the route says what it missed
  if (first !== '{' && first !== '[') return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/** raw-body's errors (with a `type`) as our refusals; never the body itself. */
function readError(err: unknown, limitBytes: number): HttpError {
  const { type } = (err ?? {}) as { type?: unknown };
  switch (type) {
    case 'entity.too.large':
      return new HttpError(413, 'TooLarge', `The body is larger than ${limitBytes} bytes.`);
    case 'request.size.invalid':
    case 'request.aborted':
      return new HttpError(400, 'BadBody', 'The body ended before its declared length.');
    default:
      return new HttpError(400, 'BadBody', 'The body could not be read.');
  }
}
