import type * as restify from 'restify';

/** The paths a widget embedded on another of the bank's sites calls. */
const WIDGET_PATHS = /^\/(api\/directline\/|v3\/directline\/)/;

/**
 * CORS for the widget's calls, for the origins the bank lists (WIDGET_ORIGINS); nothing for anyone
 * else, and never for the bot's own endpoints. Tokens travel in the Authorization header, not in
 * cookies, so no credentials are allowed.
 */
export function allowWidgetOrigins(server: restify.Server, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins.map((o) => o.trim().replace(/\/$/, '')));
  server.pre((req, res, next) => {
    const origin = req.headers.origin;
    if (!origin || !allowed.has(origin) || !WIDGET_PATHS.test(req.path() ?? '')) return next();
    res.header('Access-Control-Allow-Origin', origin);
    res.header('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.header('Access-Control-Allow-Headers', 'Authorization, Content-Type, x-ms-bot-agent');
      res.header('Access-Control-Max-Age', '600');
      res.send(204);
      return next(false);
    }
    return next();
  });
}
