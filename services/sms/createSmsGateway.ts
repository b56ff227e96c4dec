import type { Clock } from '../clock';
import { createConsoleSms } from './consoleSms';
import { createOutboxSms } from './outboxSms';
import type { SmsGateway } from './types';

export type SmsProvider = 'outbox' | 'console';

export interface SmsConfig {
  provider: SmsProvider;
  /** Used by the outbox provider. */
  outboxPath: string;
}

/** The gateway named by the configuration. */
export function createSmsGateway(config: SmsConfig, { clock = Date.now }: { clock?: Clock } = {}): SmsGateway {
  switch (config.provider) {
    case 'outbox':
      return createOutboxSms({ path: config.outboxPath, clock });
    case 'console':
      return createConsoleSms({ clock });
    default: {
      const unknown: never = config.provider;
      throw new Error(`unknown SMS provider: ${String(unknown)}`);
    }
  }
}
