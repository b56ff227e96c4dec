import { createSecretKey, type KeyObject } from 'node:crypto';

const imported = new WeakMap<Buffer, KeyObject>();

/**
 * A secret as a KeyObject, imported once per Buffer: `createHmac` and `createCipheriv` given a Buffer
 * import it again on every call (a turn makes a dozen of these calls).
 */
export function secretKey(secret: Buffer): KeyObject {
  let key = imported.get(secret);
  if (!key) {
    key = createSecretKey(secret);
    imported.set(secret, key);
  }
  return key;
}
