import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { secretKey } from '../platform/secretKey';

/** Marks an encrypted value: `enc1:` + base64(iv[12] | tag[16] | ciphertext). Plain values are JSON objects. */
const ENCRYPTED = 'enc1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Random IVs drawn from the system's CSPRNG 1024 at a time (one call to it instead of one per write).
 * Every IV is fresh random bytes, used once: the pool is refilled, never reread.
 */
const ivPool = Buffer.alloc(IV_BYTES * 1024);
let ivNext = ivPool.length;
function freshIv(): Buffer {
  if (ivNext + IV_BYTES > ivPool.length) {
    randomFillSync(ivPool);
    ivNext = 0;
  }
  // A copy: the pool's bytes are overwritten at the next refill.
  const iv = Buffer.from(ivPool.subarray(ivNext, ivNext + IV_BYTES));
  ivNext += IV_BYTES;
  return iv;
}

/**
 * A state value as stored: plain JSON without `encryptionKey`, else `enc1:` + AES-256-GCM with the storage
 * key as associated data. Every adapter (SQLite, Redis) writes this format, so a value moves between them as it is.
 */
export function encodeStoredValue(
  encryptionKey: Buffer | undefined,
  key: string,
  value: Record<string, unknown>,
): string {
  const json = JSON.stringify(value);
  if (!encryptionKey) return json;
  const iv = freshIv();
  const cipher = createCipheriv('aes-256-gcm', secretKey(encryptionKey), iv);
  // The row key is authenticated too: a value copied under another key does not decrypt.
  cipher.setAAD(Buffer.from(key, 'utf8'));
  const body = cipher.update(json, 'utf8');
  const rest = cipher.final(); // empty for GCM, which encrypts as it goes; it computes the tag
  // One copy into the stored layout: iv | tag | ciphertext.
  return ENCRYPTED + Buffer.concat([iv, cipher.getAuthTag(), body, rest]).toString('base64');
}

/** Reads back what `encodeStoredValue` wrote; throws on a wrong or missing key and on a tampered or moved value. */
export function decodeStoredValue(
  encryptionKey: Buffer | undefined,
  key: string,
  stored: string,
): Record<string, unknown> {
  if (!stored.startsWith(ENCRYPTED)) {
    if (encryptionKey) throw new Error(`Storage: "${key}" is stored unencrypted but an encryption key is configured.`);
    return JSON.parse(stored) as Record<string, unknown>;
  }
  if (!encryptionKey) throw new Error(`Storage: "${key}" is encrypted and no encryption key is configured.`);
  const raw = Buffer.from(stored.slice(ENCRYPTED.length), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', secretKey(encryptionKey), raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(key, 'utf8'));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    const json = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    return JSON.parse(json) as Record<string, unknown>;
  } catch (cause) {
    throw new Error(`Storage: cannot decrypt "${key}" (wrong key or tampered value).`, { cause });
  }
}
