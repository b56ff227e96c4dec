import { createCatalog } from '../../content';
import { ConstantBackoff } from 'cockatiel';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRetryingSms } from '../../services/sms/retryingSms';
import type { OutboxEntry } from '../../services/sms/outboxLine';
import type { Harness } from './harness';

/**
 * Puts the harness's recording gateway behind the retry policy production uses (the harness injects
 * its gateway directly, so `createSmsGateway` and its retries are bypassed). No waiting between
 * attempts: the policy, not the clock, is under test. `h.sms.failNext` then counts attempts.
 */
export function behindRetries(h: Harness, retries: number): void {
  const recording = h.sms;
  const direct = { send: recording.send.bind(recording) };
  const retrying = createRetryingSms(direct, { retries, backoff: new ConstantBackoff(0) });
  // The bot and the notice sender hold this object and call its `send` at each message.
  recording.send = (message) => retrying.send(message);
}

/** What the fake gateway does with one request: answer it, or hold it (`hang`) until the gateway closes. */
export type GatewayAnswer = 'ok' | 'fail' | 'hang' | ((res: ServerResponse, entry: OutboxEntry) => void);

export interface FakeGateway {
  url: string;
  /** Every message POSTed, in order, as the JSON the bot sent (failed and held attempts too). */
  received: OutboxEntry[];
  /** Decides the answer to each request (`n` counts from 1). Replace it at any time. */
  answer: (n: number, entry: OutboxEntry) => GatewayAnswer;
  close(): Promise<void>;
}

/** An SMS gateway on a loopback port that speaks the http provider's protocol. */
export async function startFakeGateway(answer: FakeGateway['answer'] = () => 'ok'): Promise<FakeGateway> {
  const held = new Set<ServerResponse>();
  const gateway: FakeGateway = {
    url: '',
    received: [],
    answer,
    close: async () => undefined,
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      const entry = JSON.parse(body) as OutboxEntry;
      gateway.received.push(entry);
      const what = gateway.answer(gateway.received.length, entry);
      if (what === 'ok') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"accepted":true}');
      } else if (what === 'fail') {
        res.writeHead(503);
        res.end('gateway down (test)');
      } else if (what === 'hang') {
        held.add(res);
      } else {
        what(res, entry);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gateway.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
  gateway.close = async () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return gateway;
}

const catalog = createCatalog({ strict: true });

/**
 * A pattern for the zh-CN SMS `key` as the catalogue words it: the parameter named `capture` becomes a
 * group of six digits, every other parameter any text. The tests follow the content, not a copy of it.
 */
function smsPattern(key: string, capture?: string): RegExp {
  const marks = ['code', 'minutes', 'card', 'time', 'newPhone', 'oldPhone'];
  const text = catalog.render('zh-CN', key, Object.fromEntries(marks.map((m) => [m, `\u0000${m}\u0000`])));
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\u0000(\w+)\u0000/g, (_, m: string) => (m === capture ? '(\\d{6})' : '.*'))}$`, 's');
}
const CODE_SMS = [smsPattern('sms.code.old', 'code'), smsPattern('sms.code.new', 'code')];
const NOTICE_SMS = [smsPattern('sms.notice.old'), smsPattern('sms.notice.new')];

/** The 6-digit code in a code SMS, or undefined for any other message. */
export const codeIn = (entry: OutboxEntry): string | undefined =>
  CODE_SMS.map((re) => re.exec(entry.text)?.[1]).find((code) => code !== undefined);
/** A change notice, to the old number or to the new one. */
export const isNotice = (entry: OutboxEntry): boolean => NOTICE_SMS.some((re) => re.test(entry.text));
