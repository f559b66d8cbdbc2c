import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest (webhook secrets, signing keys).
 * Ciphertext format: `v1.<key id>.<base64url(iv | tag | ciphertext)>`; the key id (first 8 hex of
 * SHA-256 of the key) lets old rows decrypt after the operator rotates to a new first key.
 */
export type SecretBox = {
  encrypt(plaintext: string | Buffer, associatedData?: string): string;
  decrypt(sealed: string, associatedData?: string): Buffer;
  /** True when the value was sealed with an older key and should be re-encrypted. */
  needsRotation(sealed: string): boolean;
  /** What every value sealed with the first (current) key starts with: the rest need rotation (to filter in SQL). */
  currentPrefix: string;
};

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function createSecretBox(keys: Buffer[]): SecretBox {
  const [current] = keys;
  if (!current || keys.some((key) => key.length !== 32)) throw new Error('secret box needs 32-byte keys');
  // KeyObjects, made once: a cipher given a Buffer key re-checks what kind of key it is on every call (~10 us).
  const byId = new Map(keys.map((key) => [keyId(key), createSecretKey(key)]));
  const currentId = keyId(current);
  const currentKey = byId.get(currentId)!;
  const currentPrefix = `${VERSION}.${currentId}.`;

  return {
    encrypt(plaintext, associatedData = '') {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
      cipher.setAAD(Buffer.from(associatedData));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return `${currentPrefix}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    decrypt(sealed, associatedData = '') {
      const [version, id, payload] = sealed.split('.');
      if (version !== VERSION || !id || !payload) throw new Error('not a sealed secret');
      const key = byId.get(id);
      if (!key) throw new Error(`no encryption key with id ${id} is configured`);
      const raw = Buffer.from(payload, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(associatedData));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    },
    needsRotation(sealed) {
      return !sealed.startsWith(currentPrefix);
    },
    currentPrefix,
  };
}
