import { createHash } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { BankContract, BankOperation } from './contract';
import type { BankCore, ChangeRequest, ChangeResult, IdentityClaim, IdentityResult } from './index';

/** Why an HTTP bank call failed. Messages name the call, never its arguments (cards, IDs, numbers). */
export type BankHttpFailure =
  /** No answer (refused, reset, timed out) or a 502/503/504: tried again where safe, then given up. */
  | 'unreachable'
  /** The bank answered with an error (4xx, 500): it will not change by asking again. */
  | 'refused'
  /** The answer is not what docs/bank-api.yaml says: never trusted. */
  | 'malformed';

export class BankHttpError extends Error {
  override readonly name = 'BankHttpError';
  constructor(
    message: string,
    readonly failure: BankHttpFailure,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface HttpBankOptions {
  /** The API's base URL, e.g. https://core.bank.example/rebind/v1 (BANK_HTTP_URL). */
  url: string;
  /** Sent as `Authorization: Bearer <token>` (BANK_HTTP_TOKEN). */
  token?: string;
  /** Mutual TLS: the CA to trust, and the client certificate and key to present (PEM). */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  contract: BankContract;
  /** How long one attempt may take. */
  attemptTimeoutMs?: number;
  /** Attempts after the first, for a call that got no answer or a 502/503/504. */
  retries?: number;
  /** Wait before retry n (1-based). */
  backoffMs?: (retry: number) => number;
}

/** The bank's answer, as the contract has it. */
interface Answer {
  status: number;
  body: unknown;
}

const RETRY_STATUSES = new Set([502, 503, 504]);
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * The bank core over HTTP, as docs/bank-api.yaml says (BANK_PROVIDER=http). Every answer is checked
 * against the contract before it is believed; one that breaks it is a failure of the bank (it counts
 * towards the circuit breaker of `resilientBank.ts`, which wraps this), never half-read.
 *
 * Retries: the three reads are safe to repeat, and the change carries an `Idempotency-Key` derived from
 * the verified change (a hash of the chart's key, so no conversation id leaves in a header), with which
 * the bank returns the first result again: so every call is tried again after no answer or a 502/503/504,
 * with the same body and key. A 4xx or 500 is an answer and is not repeated.
 */
export function createHttpBankCore(o: HttpBankOptions): BankCore {
  const base = new URL(o.url.endsWith('/') ? o.url : `${o.url}/`);
  const secure = base.protocol === 'https:';
  const agent = secure
    ? new HttpsAgent({ keepAlive: true, maxSockets: 32, ...(o.tls?.ca ? { ca: o.tls.ca } : {}), ...(o.tls?.cert ? { cert: o.tls.cert } : {}), ...(o.tls?.key ? { key: o.tls.key } : {}) })
    : new HttpAgent({ keepAlive: true, maxSockets: 32 });
  const attemptTimeoutMs = o.attemptTimeoutMs ?? 1500;
  const retries = o.retries ?? 2;
  const backoffMs = o.backoffMs ?? ((n: number) => 50 * 2 ** (n - 1));

  /** One attempt: POST the JSON body, read at most 64 KB of JSON back. */
  const attempt = (path: string, body: unknown, headers: Record<string, string>): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const url = new URL(path, base);
      const payload = Buffer.from(JSON.stringify(body));
      const req = (secure ? httpsRequest : httpRequest)(
        url,
        {
          method: 'POST',
          agent,
          timeout: attemptTimeoutMs,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, application/problem+json',
            'content-length': String(payload.length),
            ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
            ...headers,
          },
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) {
              res.destroy(new BankHttpError('bank answer too large', 'malformed', res.statusCode));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              reject(new BankHttpError('bank answer is not JSON', 'malformed', res.statusCode));
              return;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('timeout', () => req.destroy(new BankHttpError(`no answer within ${attemptTimeoutMs} ms`, 'unreachable')));
      req.on('error', reject);
      req.end(payload);
    });

  /** Calls an operation: tried again where that is safe, the answer checked against the contract. */
  const call = async (operation: BankOperation, path: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> => {
    for (let n = 0; ; n += 1) {
      let answer: Answer | undefined;
      let failure: unknown;
      try {
        answer = await attempt(path, body, headers);
      } catch (err) {
        failure = err;
      }
      const again = failure === undefined ? RETRY_STATUSES.has(answer?.status ?? 0) : !(failure instanceof BankHttpError && failure.failure === 'malformed');
      if (again && n < retries) {
        await new Promise((r) => setTimeout(r, backoffMs(n + 1)));
        continue;
      }
      if (failure !== undefined) {
        throw failure instanceof BankHttpError ? failure : new BankHttpError(`bank unreachable (${operation})`, 'unreachable', undefined, { cause: failure });
      }
      const { status, body: answerBody } = answer as Answer;
      if (status !== 200) {
        throw new BankHttpError(`bank answered ${status} (${operation})`, RETRY_STATUSES.has(status) ? 'unreachable' : 'refused', status);
      }
      const problem = o.contract.answerProblem(operation, status, answerBody);
      if (problem !== undefined) throw new BankHttpError(`bank answer breaks the contract (${operation}): ${problem}`, 'malformed', status);
      return answerBody;
    }
  };

  return {
    async verifyIdentity(claim: IdentityClaim): Promise<IdentityResult> {
      const r = (await call('verifyIdentity', 'identity/verify', {
        cardNumber: claim.cardNumber,
        idType: claim.idType,
        idNumber: claim.idNumber,
        phone: claim.phone,
      })) as { match: true; customerRef: string; cardRef: string; standing: Extract<IdentityResult, { match: true }>['standing'] } | { match: false };
      return r.match ? { match: true, customerId: r.customerRef, cardId: r.cardRef, standing: r.standing } : { match: false };
    },

    async phoneOwner(customerId: string, phone: string): Promise<'none' | 'self' | 'other'> {
      const r = (await call('phoneOwner', 'phones/owner', { customerRef: customerId, phone })) as { owner: 'none' | 'self' | 'other' };
      return r.owner;
    },

    async changeBoundPhone(req: ChangeRequest): Promise<ChangeResult> {
      const r = (await call(
        'changeBoundPhone',
        'cards/bound-phone/change',
        { cardRef: req.cardId, oldPhone: req.oldPhone, newPhone: req.newPhone, conversationRef: opaqueRef(req.conversationId) },
        { 'idempotency-key': idempotencyKeyFor(req.idempotencyKey) },
      )) as { status: 'changed'; changeId: string; at: string; firstTime: boolean } | { status: 'conflict' };
      return r.status === 'changed' ? { status: 'changed', changeId: r.changeId, at: Date.parse(r.at), firstTime: r.firstTime } : { status: 'conflict' };
    },

    async boundPhone(cardNumber: string): Promise<string | undefined> {
      const r = (await call('boundPhone', 'cards/bound-phone', { cardNumber })) as { phone: string | null };
      return r.phone ?? undefined;
    },
  };
}

/** The header value for a change: a hash of the chart's key (the same change, the same key), URL-safe. */
export function idempotencyKeyFor(chartKey: string): string {
  return createHash('sha256').update(`change:${chartKey}`).digest('base64url');
}

/** What the bank keeps of the conversation that asked: a hash of its id (the same one each time). */
function opaqueRef(conversationId: string): string {
  return createHash('sha256').update(`conversation:${conversationId}`).digest('base64url');
}
