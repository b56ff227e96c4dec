/**
 * The load: N customers at once, each going through whole conversations back to back over HTTP
 * with `deliveryMode: "expectReplies"` (the replies come back in the response body), on one
 * keep-alive connection each. Every turn's latency is the time from sending the request to the
 * last byte of the response.
 */
import { Agent, request } from 'node:http';
import type { BenchCustomer } from './seed';

/** How long a keep-alive connection may sit unused before the client lets it go. */
const IDLE_MS = 4_000;

/** A POST over keep-alive connections; the body comes back as a string. */
export class HttpClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(base: string, connections: number) {
    const url = new URL(base);
    this.host = url.hostname;
    this.port = Number(url.port);
    // A connection left idle is let go after 4 s, before the server closes it (Node's keep-alive
    // timeout, 5 s): a request sent on a connection the server is closing fails with ECONNRESET
    // (Node's docs, `request.reusedSocket`). At half load (the soak) most connections sit idle.
    this.agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections, timeout: IDLE_MS });
  }

  post(path: string, body: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          path,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  get(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: this.host, port: this.port, path, method: 'GET', agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** One turn of the whole change: what the customer sends, and what the bot must then be asking for. */
export interface Step {
  /** `join`: the conversationUpdate that opens the conversation; otherwise a message. */
  kind: 'join' | 'text' | 'code';
  /** The text (`text`), or the number whose latest code is typed (`code`, E.164). */
  value: string;
  /** `channelData.expecting` of the last reply, or its `key` for the final turn. */
  expecting?: string;
  key?: string;
}

/**
 * The whole change, in Chinese: join, the request, card, ID, the current number (its code goes at
 * once), its code, the new number, its code, confirm.
 */
export function changeScript(c: BenchCustomer): Step[] {
  return [
    { kind: 'join', value: '', key: 'welcome.greeting' },
    { kind: 'text', value: '我想更换银行卡绑定的手机号', expecting: 'cardNumber' },
    { kind: 'text', value: c.card, expecting: 'idNumber' },
    { kind: 'text', value: c.id, expecting: 'oldPhone' },
    { kind: 'text', value: c.oldNational, expecting: 'otp' },
    { kind: 'code', value: c.oldE164, expecting: 'newPhone' },
    { kind: 'text', value: c.newNational, expecting: 'otp' },
    { kind: 'code', value: c.newE164, expecting: 'confirm' },
    { kind: 'text', value: '确认', key: 'change.done' },
  ];
}

export const TURNS_PER_CONVERSATION = changeScript({
  card: '',
  id: '',
  oldNational: '',
  oldE164: '',
  newNational: '',
  newE164: '',
}).length;

export interface LoadOptions {
  client: HttpClient;
  /** How many customers talk at once. */
  concurrency: number;
  seconds: number;
  /** Conversation ids start with this (unique per run and target). */
  tag: string;
  /** The next customer, or undefined when the bank has no fresh one left. */
  nextCustomer: () => BenchCustomer | undefined;
  /** The code to type for a number: read from the outbox (Rebind), or any six digits (echo). */
  codeFor: (e164: string) => Promise<string>;
  /** Check each reply against the script (Rebind); the echo bot only has to answer. */
  check: boolean;
  /** Awaited before each turn is sent (a `pacer`: a set rate instead of as fast as the bot answers). */
  pace?: () => Promise<void>;
}

export interface LoadResult {
  turns: number;
  conversations: number;
  errors: number;
  errorSamples: string[];
  /** The pool of fresh customers ran out before the time was up. */
  exhausted: boolean;
  elapsedMs: number;
  /** Per-turn latencies in ms, sorted. */
  latencies: Float64Array;
}

interface Reply {
  type?: string;
  channelData?: { key?: string; expecting?: string };
}

/** Runs the load for `seconds`: turns started before the deadline are finished and counted. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let conversations = 0;
  let exhausted = false;
  let serial = 0;
  const started = performance.now();
  const deadline = started + o.seconds * 1000;

  const fail = (message: string) => {
    errors += 1;
    if (errorSamples.length < 5) errorSamples.push(message);
  };

  async function oneConversation(customer: BenchCustomer): Promise<void> {
    const conversationId = `${o.tag}-${serial++}`;
    const userId = `u-${conversationId}`;
    let activityNo = 0;
    for (const step of changeScript(customer)) {
      if (performance.now() >= deadline) return;
      const common = {
        channelId: 'bench',
        serviceUrl: 'http://127.0.0.1:1/unused',
        conversation: { id: conversationId },
        from: { id: userId, role: 'user' },
        recipient: { id: 'bot', role: 'bot' },
        locale: 'zh-CN',
        deliveryMode: 'expectReplies',
        id: `${conversationId}-${(activityNo += 1)}`,
      };
      const text = step.kind === 'code' ? await o.codeFor(step.value) : step.value;
      const activity =
        step.kind === 'join'
          ? { ...common, type: 'conversationUpdate', membersAdded: [{ id: userId, name: 'Customer' }] }
          : { ...common, type: 'message', text };
      const body = JSON.stringify(activity);
      if (o.pace) {
        await o.pace();
        if (performance.now() >= deadline) return;
      }
      const sent = performance.now();
      let res: { status: number; body: string };
      try {
        res = await o.client.post('/api/messages', body);
      } catch (err) {
        fail(`${conversationId} turn ${activityNo}: ${(err as Error).message}`);
        return;
      }
      latencies.push(performance.now() - sent);
      if (res.status !== 200) {
        fail(`${conversationId} turn ${activityNo}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
        return;
      }
      const replies = ((JSON.parse(res.body) as { activities?: Reply[] }).activities ?? []).filter((a) => a.type === 'message');
      if (replies.length === 0) {
        fail(`${conversationId} turn ${activityNo}: no reply`);
        return;
      }
      if (o.check) {
        const said = replies.at(-1)?.channelData ?? {};
        const ok = step.key !== undefined ? said.key === step.key : said.expecting === step.expecting;
        if (!ok) {
          fail(`${conversationId} turn ${activityNo} (${step.kind} ${step.expecting ?? step.key}): got ${JSON.stringify(said)}`);
          return;
        }
      }
    }
    conversations += 1;
  }

  async function customerLoop(): Promise<void> {
    while (performance.now() < deadline) {
      const customer = o.nextCustomer();
      if (!customer) {
        exhausted = true;
        return;
      }
      await oneConversation(customer);
    }
  }

  await Promise.all(Array.from({ length: o.concurrency }, () => customerLoop()));
  const elapsedMs = performance.now() - started;
  const sorted = Float64Array.from(latencies).sort();
  return { turns: latencies.length, conversations, errors, errorSamples, exhausted, elapsedMs, latencies: sorted };
}

/**
 * Turns at a set rate: each call resolves at the next slot of a fixed schedule (`turnsPerSecond`), so
 * the bot gets that rate whatever its latency, as long as enough customers are waiting. A schedule
 * fallen behind (the bot was slow) catches up by at most a second's worth of turns, not in one burst.
 */
export function pacer(turnsPerSecond: number): () => Promise<void> {
  const interval = 1000 / turnsPerSecond;
  let next = performance.now();
  return async () => {
    const now = performance.now();
    const slot = Math.max(next, now - 1000);
    next = slot + interval;
    if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
  };
}

/** The q-quantile of sorted samples (nearest rank). */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}
