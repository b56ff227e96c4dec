import type { OtpBinding } from '../../domain/otpBinding';
import { createSqliteAttemptLimiter } from '../limits/sqlite';
import type { Db } from '../platform/openDatabase';
import type { IssueResult, OtpService, VerifyResult } from './index';
import { drawCode, otpHashes } from './otpHashes';
import { DAY_MS, HOUR_MS, OTP_LIMIT_SCOPE, otpSettings, type OtpOptions } from './otpSettings';

/** Creates the service's tables if needed. Idempotent. */
export function migrateOtp(db: Db): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS otp_codes (
      id              TEXT    PRIMARY KEY,
      conversation_id TEXT    NOT NULL,
      purpose         TEXT    NOT NULL,
      binding_hash    TEXT    NOT NULL,
      code_hash       TEXT    NOT NULL,
      phone_hash      TEXT    NOT NULL,
      card_hash       TEXT    NOT NULL,
      created_at      INTEGER NOT NULL,
      expires_at      INTEGER NOT NULL,
      used_at         INTEGER,
      voided_at       INTEGER
    );
    CREATE INDEX IF NOT EXISTS otp_codes_by_conversation ON otp_codes (conversation_id, purpose, created_at);
    CREATE TABLE IF NOT EXISTS otp_sends (
      code_id    TEXT    PRIMARY KEY,
      phone_hash TEXT    NOT NULL,
      sent_at    INTEGER NOT NULL,
      revoked_at INTEGER
    );
    CREATE INDEX IF NOT EXISTS otp_sends_by_phone ON otp_sends (phone_hash, sent_at);
    -- Pruning old codes and sends (at every issue) reads only what it deletes, however many are kept.
    CREATE INDEX IF NOT EXISTS otp_codes_by_expiry ON otp_codes (expires_at);
    CREATE INDEX IF NOT EXISTS otp_sends_by_time ON otp_sends (sent_at);
  `);
}

interface CodeRow {
  id: string;
  binding_hash: string;
  code_hash: string;
  card_hash: string;
  expires_at: number;
}

export type SqliteOtpServiceOptions = OtpOptions & { db: Db };

/** Codes on SQLite (tables otp_codes and otp_sends of rebind.sqlite); every call is one IMMEDIATE transaction. */
export function createSqliteOtpService({ db, ...options }: SqliteOtpServiceOptions): OtpService {
  const { secret, clock, random, newId, ttlMs, cooldownMs, lockMs, maxAttempts, maxPerHourPerNumber, maxPerDayPerNumber } =
    otpSettings(options);

  migrateOtp(db);
  const limiter = createSqliteAttemptLimiter({ db, scope: OTP_LIMIT_SCOPE, maxAttempts, lockMs, clock });

  const { hashCard, hashPhone, bindingKey, bindingHash, codeHash, sameHash } = otpHashes(secret);
  const newCode = (): string => drawCode(random);

  const sendsSince = db.prepare<[string, number], { sent_at: number }>(
    'SELECT sent_at FROM otp_sends WHERE phone_hash = ? AND revoked_at IS NULL AND sent_at > ? ORDER BY sent_at ASC',
  );
  const voidLive = db.prepare<[number, string, string]>(
    'UPDATE otp_codes SET voided_at = ? WHERE conversation_id = ? AND purpose = ? AND used_at IS NULL AND voided_at IS NULL',
  );
  const insertCode = db.prepare<[string, string, string, string, string, string, string, number, number]>(`
    INSERT INTO otp_codes (id, conversation_id, purpose, binding_hash, code_hash, phone_hash, card_hash, created_at, expires_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  `);
  const insertSend = db.prepare<[string, string, number]>(
    'INSERT INTO otp_sends (code_id, phone_hash, sent_at) VALUES (?, ?, ?)',
  );
  const pruneSends = db.prepare<[number]>('DELETE FROM otp_sends WHERE sent_at <= ?');
  const pruneCodes = db.prepare<[number]>('DELETE FROM otp_codes WHERE expires_at <= ?');
  const voidCode = db.prepare<[number, string]>('UPDATE otp_codes SET voided_at = ? WHERE id = ? AND voided_at IS NULL');
  const revokeSend = db.prepare<[number, string]>(
    'UPDATE otp_sends SET revoked_at = ? WHERE code_id = ? AND revoked_at IS NULL',
  );
  const latestLive = db.prepare<[string, string], CodeRow>(`
    SELECT id, binding_hash, code_hash, card_hash, expires_at FROM otp_codes
    WHERE conversation_id = ? AND purpose = ? AND used_at IS NULL AND voided_at IS NULL
    ORDER BY created_at DESC, rowid DESC LIMIT 1
  `);
  const markUsed = db.prepare<[number, string]>(
    'UPDATE otp_codes SET used_at = ? WHERE id = ? AND used_at IS NULL AND voided_at IS NULL',
  );

  /**
   * When the number may get another code: the `cap`-th most recent counted send must leave the window.
   * Undefined when fewer than `cap` sends fall in the window.
   */
  function capRetryAt(sends: number[], now: number, windowMs: number, cap: number): number | undefined {
    const inWindow = sends.filter((at) => at > now - windowMs);
    if (inWindow.length < cap) return undefined;
    return inWindow[inWindow.length - cap] + windowMs;
  }

  const issueTx = db.transaction((binding: OtpBinding): IssueResult => {
    const now = clock();
    const cardHash = hashCard(binding.card);
    const until = limiter.lockedUntil(cardHash);
    if (until !== undefined) return { ok: false, reason: 'locked', until };

    const phoneHash = hashPhone(binding.phone);
    // Sends older than the longest window no longer count for anything; old codes are dead weight.
    pruneSends.run(now - DAY_MS);
    pruneCodes.run(now - DAY_MS);

    const sends = sendsSince.all(phoneHash, now - DAY_MS).map((r) => r.sent_at);
    // Every rule that blocks is checked, and the customer is told the latest moment: retrying at the
    // end of the cooldown while a cap still holds would only be refused again.
    const blocks: Array<{ reason: 'cooldown' | 'hourlyCap' | 'dailyCap'; retryAt: number }> = [];
    const last = sends[sends.length - 1];
    if (last !== undefined && now - last < cooldownMs) blocks.push({ reason: 'cooldown', retryAt: last + cooldownMs });
    const hourly = capRetryAt(sends, now, HOUR_MS, maxPerHourPerNumber);
    if (hourly !== undefined) blocks.push({ reason: 'hourlyCap', retryAt: hourly });
    const daily = capRetryAt(sends, now, DAY_MS, maxPerDayPerNumber);
    if (daily !== undefined) blocks.push({ reason: 'dailyCap', retryAt: daily });
    if (blocks.length > 0) {
      const worst = blocks.reduce((a, b) => (b.retryAt > a.retryAt ? b : a));
      return { ok: false, reason: worst.reason, retryAt: worst.retryAt };
    }

    const code = newCode();
    const codeId = newId();
    const key = bindingKey(binding);
    const expiresAt = now + ttlMs;
    voidLive.run(now, binding.conversationId, binding.purpose);
    insertCode.run(
      codeId,
      binding.conversationId,
      binding.purpose,
      bindingHash(key),
      codeHash(key, code),
      phoneHash,
      cardHash,
      now,
      expiresAt,
    );
    insertSend.run(codeId, phoneHash, now);
    return { ok: true, code, codeId, expiresAt, resendAt: now + cooldownMs };
  });

  const revokeTx = db.transaction((codeId: string): void => {
    const now = clock();
    voidCode.run(now, codeId);
    revokeSend.run(now, codeId);
  });

  const verifyTx = db.transaction((binding: OtpBinding, code: string): VerifyResult => {
    const now = clock();
    const cardHash = hashCard(binding.card);
    const until = limiter.lockedUntil(cardHash);
    if (until !== undefined) return { ok: false, reason: 'locked', until };

    const row = latestLive.get(binding.conversationId, binding.purpose);
    const key = bindingKey(binding);
    // A code issued for other details (older generation, other number, other card) is void, not wrong:
    // no attempt is counted.
    if (!row || !sameHash(row.binding_hash, bindingHash(key)) || !sameHash(row.card_hash, cardHash)) {
      return { ok: false, reason: 'noCode' };
    }
    if (now >= row.expires_at) return { ok: false, reason: 'expired' };

    if (!sameHash(row.code_hash, codeHash(key, code))) {
      const failed = limiter.fail(cardHash);
      if (failed.locked) {
        voidCode.run(now, row.id);
        return { ok: false, reason: 'locked', until: failed.until };
      }
      return { ok: false, reason: 'wrong', attemptsLeft: failed.attemptsLeft };
    }

    if (markUsed.run(now, row.id).changes !== 1) return { ok: false, reason: 'noCode' };
    limiter.reset(cardHash);
    return { ok: true, codeId: row.id };
  });

  return {
    issue: async (binding) => issueTx.immediate(binding),
    revoke: async (codeId) => revokeTx.immediate(codeId),
    verify: async (binding, code) => verifyTx.immediate(binding, code),
    lockedUntil: async (card) => limiter.lockedUntil(hashCard(card)),
  };
}
