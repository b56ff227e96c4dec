import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConstantBackoff } from 'cockatiel';
import { SmsError } from './index';
import { createSmsGateway } from './createSmsGateway';
import { createHttpSms } from './http';

const AT = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
const clock = () => AT;
const SECRET_TEXT = '验证码 987654，5 分钟内有效。';

interface Received {
  method: string;
  contentType: string | undefined;
  body: string;
}

/** A fake SMS gateway on a loopback port; `answer` decides what each request gets. */
async function fakeGateway(answer: (n: number, res: ServerResponse) => void) {
  const received: Received[] = [];
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      received.push({ method: req.method ?? '', contentType: req.headers['content-type'], body });
      open.add(res);
      res.on('close', () => open.delete(res));
      answer(received.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sms?key=k`,
    received,
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Not chained: restify (loaded by other suites in the same worker) patches writeHead to return nothing.
const answer = (status: number, body = '', headers: Record<string, string> = {}) => (_n: number, res: ServerResponse) => {
  res.writeHead(status, headers);
  res.end(body);
};
const ok = answer(202, '{"id":"m1"}');
const fail500 = answer(500, 'down');
const neverAnswer = () => undefined;

/** The rejection, checked to be an SmsError that does not give the text (or the URL) away. */
async function smsError(p: Promise<unknown>, url: string): Promise<SmsError> {
  const error: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SmsError);
  const e = error as SmsError;
  const everything = `${e.message} ${String(e.cause)} ${JSON.stringify(e)} ${e.stack ?? ''}`;
  expect(everything).not.toContain('987654');
  expect(everything).not.toContain(url);
  return e;
}

describe('http SMS provider', () => {
  let gateways: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    gateways = [];
  });
  const gateway = async (answer: (n: number, res: ServerResponse) => void) => {
    const g = await fakeGateway(answer);
    gateways.push(g);
    return g;
  };

  it('POSTs the outbox line as JSON; any 2xx is sent', async () => {
    const g = await gateway(ok);
    await createHttpSms({ url: g.url, clock }).send({ to: '+8613800138000', text: SECRET_TEXT });
    expect(g.received).toEqual([
      {
        method: 'POST',
        contentType: 'application/json',
        body: JSON.stringify({ to: '+8613800138000', text: SECRET_TEXT, at: '2024-01-02T03:04:05.678Z' }),
      },
    ]);
  });

  it('another status is an SmsError naming the status, not the text', async () => {
    const g = await gateway(fail500);
    const e = await smsError(createHttpSms({ url: g.url, clock }).send({ to: '+8613800138000', text: SECRET_TEXT }), g.url);
    expect(e.message).toMatch(/HTTP 500/);
  });

  it('a redirect is not followed: it fails like any other status', async () => {
    const g = await gateway(answer(307, '', { location: 'http://127.0.0.1:1/elsewhere' }));
    const e = await smsError(createHttpSms({ url: g.url, clock }).send({ to: '+8613800138000', text: SECRET_TEXT }), g.url);
    expect(e.message).toMatch(/HTTP 307/);
    expect(g.received).toHaveLength(1);
  });

  it('no answer within the timeout is an SmsError', async () => {
    const g = await gateway(neverAnswer);
    const sms = createHttpSms({ url: g.url, timeoutMs: 200, clock });
    const e = await smsError(sms.send({ to: '+8613800138000', text: SECRET_TEXT }), g.url);
    expect(e.message).toMatch(/no answer within 200 ms/);
  });

  it('a gateway that cannot be reached is an SmsError', async () => {
    const g = await fakeGateway(ok);
    await g.close(); // nothing listens on the port any more
    const e = await smsError(createHttpSms({ url: g.url, clock }).send({ to: '+8613800138000', text: SECRET_TEXT }), g.url);
    expect(e.message).toMatch(/unreachable/);
    expect(String(e.cause)).toMatch(/ECONNREFUSED/);
  });

  it('a number that is not E.164 is refused before anything is sent', async () => {
    const g = await gateway(ok);
    await expect(createHttpSms({ url: g.url, clock }).send({ to: '13800138000', text: 'x' })).rejects.toBeInstanceOf(SmsError);
    expect(g.received).toHaveLength(0);
  });

  it('a malformed URL fails when the gateway is made, not at the first code', () => {
    expect(() => createHttpSms({ url: 'not a url' })).toThrow();
  });

  it('createSmsGateway: http behind the retry policy (a 500, then 200: one more attempt, same body)', async () => {
    const g = await gateway((n, res) => (n === 1 ? fail500(n, res) : ok(n, res)));
    const sms = createSmsGateway(
      { provider: 'http', outboxPath: 'unused', httpUrl: g.url, timeoutMs: 1000, retries: 2 },
      { clock, backoff: new ConstantBackoff(0) },
    );
    await sms.send({ to: '+8613800138000', text: SECRET_TEXT });
    expect(g.received).toHaveLength(2);
    expect(g.received[1]).toEqual(g.received[0]);
  });

  it('createSmsGateway: every attempt failing rejects with the last SmsError after 1 + retries attempts', async () => {
    const g = await gateway(fail500);
    const sms = createSmsGateway(
      { provider: 'http', outboxPath: 'unused', httpUrl: g.url, retries: 2 },
      { clock, backoff: new ConstantBackoff(0) },
    );
    await smsError(sms.send({ to: '+8613800138000', text: SECRET_TEXT }), g.url);
    expect(g.received).toHaveLength(3);
  });

  it('createSmsGateway: http without a URL is a configuration error', () => {
    expect(() => createSmsGateway({ provider: 'http', outboxPath: 'unused' })).toThrow(/httpUrl/);
  });
});
