/**
 * `npm run bank:mock`: a reference server of the bank core API (docs/bank-api.yaml) over the embedded
 * demo bank, for integrators to develop against and for the tests. Every request is routed and checked
 * with the contract (a request that breaks it gets 400 problem+json); answers come from the same SQLite
 * bank core the bot embeds, seeded once from BANK_SEED_PATH.
 *
 *   BANK_HTTP_TOKEN=secret BANK_SEED_PATH=data/demo-bank.json npm run bank:mock
 *   BANK_MOCK_PORT (default 4010), BANK_MOCK_DB (default var/bank-mock.sqlite; ':memory:' keeps nothing)
 *   BANK_MOCK_TLS_CERT, BANK_MOCK_TLS_KEY, BANK_MOCK_TLS_CA: serve HTTPS; with the CA, require client certificates
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual, createHash } from 'node:crypto';
import { loadBankContract, type BankContract, type BankOperation } from '../services/bank/contract';
import type { BankCore, IdentityResult } from '../services/bank';
import { loadSeed } from '../services/bank/loadSeed';
import { createSqliteBankCore } from '../services/bank/sqlite';
import { openDatabase } from '../services/platform/openDatabase';

export interface BankMockOptions {
  seedPath: string;
  /** Where the bank lives; ':memory:' for a bank that lasts as long as the server. */
  dbPath?: string;
  /** Required bearer token; none: every caller is let in (say so in the log). */
  token?: string;
  port?: number;
  host?: string;
  /** HTTPS; with `ca`, client certificates signed by it are required (mutual TLS). */
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer };
  /** Changes what the server answers, after the contract check of the request (tests: a broken bank). */
  rewrite?: (operation: BankOperation, answer: { status: number; body: unknown }) => { status: number; body: unknown };
  contract?: BankContract;
}

export interface BankMock {
  url: string;
  /** The bank behind it, for tests to look at. */
  bank: BankCore;
  /** Requests received, by operation (tests count retries). */
  received: Array<{ operation: BankOperation | undefined; headers: IncomingMessage['headers']; body: unknown }>;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

function problem(res: ServerResponse, status: number, code: 'badRequest' | 'unauthorized' | 'notFound' | 'serverError', title: string): void {
  res.writeHead(status, { 'content-type': 'application/problem+json', ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}) });
  res.end(JSON.stringify({ type: 'about:blank', title, status, code }));
}

function sameToken(given: string | undefined, expected: string): boolean {
  const a = createHash('sha256').update(given ?? '').digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export async function startBankMock(o: BankMockOptions): Promise<BankMock> {
  const contract = o.contract ?? (await loadBankContract());
  const dbPath = o.dbPath ?? ':memory:';
  if (dbPath !== ':memory:') mkdirSync(dirname(dbPath), { recursive: true });
  const db = openDatabase(dbPath);
  const bank = createSqliteBankCore({ db });
  if (bank.isEmpty()) bank.seed(loadSeed(o.seedPath));
  const received: BankMock['received'] = [];

  const answer = async (operation: BankOperation, body: Record<string, unknown>, key: string | undefined): Promise<{ status: number; body: unknown }> => {
    switch (operation) {
      case 'verifyIdentity': {
        const r: IdentityResult = await bank.verifyIdentity({
          cardNumber: body.cardNumber as string,
          idType: body.idType as 'CN_RESIDENT' | 'PASSPORT',
          idNumber: body.idNumber as string,
          phone: body.phone as string,
        });
        return { status: 200, body: r.match ? { match: true, customerRef: r.customerId, cardRef: r.cardId, standing: r.standing } : { match: false } };
      }
      case 'phoneOwner':
        return { status: 200, body: { owner: await bank.phoneOwner(body.customerRef as string, body.phone as string) } };
      case 'changeBoundPhone': {
        const r = await bank.changeBoundPhone({
          cardId: body.cardRef as string,
          oldPhone: body.oldPhone as string,
          newPhone: body.newPhone as string,
          conversationId: body.conversationRef as string,
          idempotencyKey: key as string,
        });
        return {
          status: 200,
          body: r.status === 'changed' ? { status: 'changed', changeId: r.changeId, at: new Date(r.at).toISOString(), firstTime: r.firstTime } : { status: 'conflict' },
        };
      }
      case 'boundPhone':
        return { status: 200, body: { phone: (await bank.boundPhone(body.cardNumber as string)) ?? null } };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const operation = contract.operationOf({ method: req.method ?? 'GET', path });
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) return problem(res, 400, 'badRequest', 'The body is too large.');
      chunks.push(chunk);
    }
    let body: unknown;
    try {
      body = size === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return problem(res, 400, 'badRequest', 'The body is not JSON.');
    }
    received.push({ operation, headers: req.headers, body });
    if (operation === undefined) return problem(res, 404, 'notFound', 'No such operation.');
    if (o.token !== undefined) {
      const m = /^Bearer +(\S+)$/i.exec(String(req.headers.authorization ?? ''));
      if (!sameToken(m?.[1], o.token)) return problem(res, 401, 'unauthorized', 'A valid bearer token is required.');
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string | string[]] => e[1] !== undefined));
    const wrong = contract.requestProblem({ method: req.method ?? 'POST', path, headers, body });
    if (wrong !== undefined) return problem(res, 400, 'badRequest', `The request breaks the contract: ${wrong}`);
    const key = req.headers['idempotency-key'];
    let out = await answer(operation, body as Record<string, unknown>, typeof key === 'string' ? key : undefined);
    if (o.rewrite) out = o.rewrite(operation, out);
    res.writeHead(out.status, { 'content-type': 'application/json' });
    res.end(out.body === undefined ? '' : typeof out.body === 'string' ? out.body : JSON.stringify(out.body));
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) problem(res, 500, 'serverError', 'The bank could not answer.');
      else res.destroy();
    });
  };
  const server: Server = o.tls
    ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key, ...(o.tls.ca ? { ca: o.tls.ca, requestCert: true, rejectUnauthorized: true } : {}) }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, o.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    bank,
    received,
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      if (db.open) db.close();
      return closed;
    },
  };
}

async function main(): Promise<void> {
  const env = process.env;
  const file = (name: string) => (env[name] ? readFileSync(env[name] as string) : undefined);
  const cert = file('BANK_MOCK_TLS_CERT');
  const key = file('BANK_MOCK_TLS_KEY');
  const ca = file('BANK_MOCK_TLS_CA');
  const mock = await startBankMock({
    seedPath: env.BANK_SEED_PATH || 'data/demo-bank.json',
    dbPath: env.BANK_MOCK_DB || 'var/bank-mock.sqlite',
    ...(env.BANK_HTTP_TOKEN ? { token: env.BANK_HTTP_TOKEN } : {}),
    port: Number(env.BANK_MOCK_PORT || 4010),
    host: env.BANK_MOCK_HOST || '127.0.0.1',
    ...(cert && key ? { tls: { cert, key, ...(ca ? { ca } : {}) } } : {}),
  });
  process.stdout.write(
    `bank mock on ${mock.url} (docs/bank-api.yaml)${env.BANK_HTTP_TOKEN ? '' : ' — no BANK_HTTP_TOKEN: every caller is let in'}\n` +
      `point the bot at it: BANK_PROVIDER=http BANK_HTTP_URL=${mock.url}${env.BANK_HTTP_TOKEN ? ' BANK_HTTP_TOKEN=…' : ''}\n`,
  );
  const stop = () => void mock.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bank mock failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
