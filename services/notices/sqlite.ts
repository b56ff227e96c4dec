import type { Clock } from '../../domain/clock';
import type { SmsGateway } from '../sms';
import type { Db } from '../platform/openDatabase';
import type { NoticeSender } from './index';

/** Notices claimed in SQLite (table sent_notices): a key, once claimed, is kept. */
export function createSqliteNoticeSender({ db, sms, clock = Date.now }: { db: Db; sms: SmsGateway; clock?: Clock }): NoticeSender {
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
