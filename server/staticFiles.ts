import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type * as restify from 'restify';
import { projectRoot } from '../services/platform/projectRoot';
import { decodePathSegment } from './requestTarget';
import { ASSET_HEADERS, newNonce, widgetPageHeaders } from './securityHeaders';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

const ROOT = projectRoot(__dirname, 1);
/** The `web/` folder: the pages and their assets. */
export const WEB = join(ROOT, 'web');
/** Web Chat's browser bundle, served from node_modules: no CDN. */
const WEBCHAT_BUNDLE = join(ROOT, 'node_modules', 'botframework-webchat', 'dist', 'webchat.js');

/** The files do not change while the server runs: each is read from disk once (Web Chat is ~4 MB). */
const loaded = new Map<string, Promise<Buffer>>();

function load(file: string): Promise<Buffer> {
  let body = loaded.get(file);
  if (!body) {
    body = readFile(file);
    loaded.set(file, body);
    body.catch(() => loaded.delete(file)); // a missing file is looked for again next time
  }
  return body;
}

/** Sends one file (read once, then from memory); `headers` are added to, or replace, the defaults. */
export async function sendFile(
  res: restify.Response,
  file: string,
  cacheSeconds: number,
  headers: Record<string, string> = {},
): Promise<void> {
  try {
    const body = await load(file);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': cacheSeconds > 0 ? `public, max-age=${cacheSeconds}` : 'no-cache',
      ...ASSET_HEADERS,
      ...headers,
    });
    res.end(body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Not found');
  }
}

/** Where web/index.html wants this response's CSP nonce (the widget's <script> tag). */
const NONCE_SLOT = /__CSP_NONCE__/g;

/** Sends an HTML page with a fresh nonce in its slots and in its policy (`headersFor(nonce)`). */
async function sendPage(
  res: restify.Response,
  file: string,
  headersFor: (nonce: string) => Record<string, string>,
): Promise<void> {
  let html: string;
  try {
    html = (await load(file)).toString('utf8');
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Not found');
    return;
  }
  const nonce = newNonce();
  const body = Buffer.from(html.replace(NONCE_SLOT, nonce), 'utf8');
  res.writeHead(200, {
    'content-type': TYPES['.html'],
    'content-length': body.length,
    ...headersFor(nonce),
  });
  res.end(body);
}

export interface StaticFilesOptions {
  /** The bank's other sites, which embed the widget (WIDGET_ORIGINS): they may frame the page too. */
  widgetOrigins?: readonly string[];
  /** Where else the page may connect: Azure's Direct Line, behind Azure Bot Service. */
  connectSources?: readonly string[];
}

/** The customer's page (`/`), its assets (`/static/…`) and the Web Chat bundle (`/webchat.js`). */
export function mountStaticFiles(server: restify.Server, { widgetOrigins = [], connectSources = [] }: StaticFilesOptions = {}): void {
  server.get('/', async (_req, res) => {
    await sendPage(res, join(WEB, 'index.html'), (nonce) => widgetPageHeaders(nonce, widgetOrigins, connectSources));
  });
  server.get('/webchat.js', async (_req, res) => {
    await sendFile(res, WEBCHAT_BUNDLE, 3600);
  });
  server.get('/static/*', async (req, res) => {
    const decoded = decodePathSegment((req.path() ?? '').replace(/^\/static\//, ''));
    const wanted = normalize(decoded ?? '..');
    const file = join(WEB, 'static', wanted);
    // Nothing outside web/static, whatever the path says (malformed escapes included).
    if (decoded === undefined || decoded.includes('\0') || wanted.startsWith('..') || !file.startsWith(join(WEB, 'static') + sep)) {
      res.writeHead(404);
      res.end();
      return;
    }
    await sendFile(res, file, 300);
  });
}
