import type * as restify from 'restify';
import type { Logger } from '../services/platform/log';

/**
 * A refusal with its status and the `{ error: { code, message } }` body every route answers with
 * (Direct Line's and the Bot Connector's error shape). Handed to `next(err)`, restify sends it as it is.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  toJSON(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** restify's own refusals (no route, wrong method…) by status, with messages that echo nothing back. */
const STANDARD: Record<number, [string, string]> = {
  400: ['BadRequest', 'The request is malformed.'],
  404: ['NotFound', 'No such resource.'],
  405: ['MethodNotAllowed', 'Method not allowed.'],
  406: ['NotAcceptable', 'Not acceptable.'],
  413: ['TooLarge', 'The request is too large.'],
  414: ['UriTooLong', 'The address is too long.'],
  415: ['UnsupportedMediaType', 'Unsupported content type.'],
};

/** A part of the site that words restify's refusals its own way (the agent API). */
export interface ErrorShape {
  prefix: string;
  shape(status: number): { code: string; message: string };
  headers?: Record<string, string>;
}

/**
 * The one `restifyError` listener (restify runs several badly): every refusal restify makes itself,
 * or that a handler passes to `next(err)` or throws, is answered as `{ error: { code, message } }`
 * with a fixed message. A 5xx is logged (name and message, masked and capped by the logger) and
 * answered without any detail: no stack, no message of ours, nothing from the request.
 */
export function useErrorResponses(server: restify.Server, { logger, shapes = [] }: { logger: Logger; shapes?: ErrorShape[] }): void {
  server.on('restifyError', (req: restify.Request, res: restify.Response, err: unknown, callback: () => void) => {
    try {
      const status = statusOf(err);
      const path = pathOf(req);
      const shape = shapes.find((s) => path === s.prefix || path.startsWith(`${s.prefix}/`));
      let body: { error: { code: string; message: string } };
      if (err instanceof HttpError && !shape) {
        body = err.toJSON(); // ours: a fixed message, whatever the status
      } else if (status >= 500) {
        logger.error('request failed', {
          route: routeOf(req),
          method: req.method,
          error: err instanceof Error ? err.name : typeof err,
          message: err instanceof Error ? err.message : undefined,
        });
        body = { error: shape?.shape(status) ?? { code: 'ServerError', message: 'Something went wrong.' } };
      } else if (shape) {
        body = { error: shape.shape(status) };
      } else {
        const [code, message] = STANDARD[status] ?? ['BadRequest', 'The request was refused.'];
        body = { error: { code, message } };
      }
      for (const [name, value] of Object.entries(shape?.headers ?? {})) res.header(name, value);
      // restify sends an Error with a numeric statusCode as it is (so with this body); anything else
      // it would wrap in an InternalError whose message is the error's own text.
      if (err instanceof Error) Object.assign(err, { statusCode: status, toJSON: () => body });
    } catch {
      // Never let the error path throw: restify's default answer goes out.
    }
    return callback();
  });
}

function statusOf(err: unknown): number {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 500;
}

function pathOf(req: restify.Request): string {
  try {
    return typeof req.path === 'function' ? (req.path() ?? '') : '';
  } catch {
    return '';
  }
}

/** The route's pattern (never the path itself, which may carry anything). */
function routeOf(req: restify.Request): string | undefined {
  try {
    return req.getRoute?.()?.path?.toString();
  } catch {
    return undefined;
  }
}
