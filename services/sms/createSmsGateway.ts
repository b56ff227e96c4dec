import type { Clock } from '../../domain/clock';
import { createConsoleSms } from './console';
import { createHttpSms } from './http';
import { createOutboxSms } from './outbox';
import { createRetryingSms, type SmsBackoff } from './retryingSms';
import type { SmsGateway } from './index';

export type SmsProvider = 'outbox' | 'console' | 'http';

export interface SmsConfig {
  provider: SmsProvider;
  /** Used by the outbox provider. */
  outboxPath: string;
  /** Used by the http provider (required for it). */
  httpUrl?: string;
  /** The http provider: how long one attempt may take. 3000 by default. */
  timeoutMs?: number;
  /** Attempts after a failed one, with backoff, for every provider. 2 by default. */
  retries?: number;
}

export interface SmsGatewayOptions {
  clock?: Clock;
  /** Waits between retries; tests pass `new ConstantBackoff(0)`. */
  backoff?: SmsBackoff;
}

/** The gateway named by the configuration, behind the retry policy. */
export function createSmsGateway(config: SmsConfig, { clock = Date.now, backoff }: SmsGatewayOptions = {}): SmsGateway {
  return createRetryingSms(provider(config, clock), { retries: config.retries ?? 2, ...(backoff ? { backoff } : {}) });
}

function provider(config: SmsConfig, clock: Clock): SmsGateway {
  switch (config.provider) {
    case 'outbox':
      return createOutboxSms({ path: config.outboxPath, clock });
    case 'console':
      return createConsoleSms({ clock });
    case 'http':
      if (!config.httpUrl) throw new Error('the http SMS provider needs httpUrl (SMS_HTTP_URL)');
      return createHttpSms({ url: config.httpUrl, clock, ...(config.timeoutMs ? { timeoutMs: config.timeoutMs } : {}) });
    default: {
      const unknown: never = config.provider;
      throw new Error(`unknown SMS provider: ${String(unknown)}`);
    }
  }
}
