import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Separate keys for separate jobs, all derived from the one SECRET_KEY. */
export interface Keys {
  /** Keys the one-time code hashes and the number/card hashes. */
  otp: Buffer;
  /** Keys the per-card identity attempt counter. */
  identity: Buffer;
  /** Encrypts conversation state at rest (it holds card and ID numbers mid-conversation). */
  state: Buffer;
  /** Signs the local Direct Line's tokens. */
  directLine: Buffer;
  /** Chains the audit log's records (HMAC), so an edited, inserted or removed record shows. */
  audit: Buffer;
  /** Keys the hashes under which rate limits count conversations, users, addresses and cards. */
  limits: Buffer;
}

export function deriveKeys(master: Buffer): Keys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
  return {
    otp: derive('rebind/otp'),
    identity: derive('rebind/identity'),
    state: derive('rebind/state'),
    directLine: derive('rebind/directline'),
    audit: derive('rebind/audit'),
    limits: derive('rebind/limits'),
  };
}

/**
 * The master secret: SECRET_KEY when set; otherwise a random one kept in DATA_DIR/secret.key
 * (created on first start, readable by the owner only), so a restart keeps codes and state valid.
 */
export function loadMasterSecret(secretHex: string | undefined, dataDir: string): Buffer {
  if (secretHex) return Buffer.from(secretHex, 'hex');
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(file, secret.toString('hex') + '\n', { mode: 0o600 });
  return secret;
}
