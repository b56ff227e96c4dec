import type { Clock } from '../../domain/clock';
import type { SmsGateway, SmsMessage } from '../sms/types';
import type { Db } from '../platform/openDatabase';

export interface NoticeSender {
  /**
   * Sends a message once per key: a retried turn that reaches the same change again sends nothing.
   * Resolves true when this call sent it. If the gateway fails, the key is released so a retry can
   * send it, and the error is rethrown.
   */
  sendOnce(key: string, message: SmsMessage): Promise<boolean>;
}

export function createNoticeSender({ db, sms, clock = Date.now }: { db: Db; sms: SmsGateway; clock?: Clock }): NoticeSender {
  db.exec('CREATE TABLE IF NOT EXISTS sent_notices (key TEXT PRIMARY KEY, at INTEGER NOT NULL)');
  const claim = db.prepare('INSERT OR IGNORE INTO sent_notices (key, at) VALUES (?, ?)');
  const release = db.prepare('DELETE FROM sent_notices WHERE key = ?');
  return {
    async sendOnce(key, message) {
      if (claim.run(key, clock()).changes === 0) return false;
      try {
        await sms.send(message);
        return true;
      } catch (err) {
        release.run(key);
        throw err;
      }
    },
  };
}
