import { createHash, createPrivateKey, generateKeyPair, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { Clock } from '#platform/clock.ts';
import { sealedColumn } from '#platform/crypto/sealed-columns.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import type { Pool } from '#platform/db/pool.ts';

/** The platform's evidence decryption key: what partners encrypt CMS EnvelopedData to. */
export type EvidenceEncryptionKey = {
  /** SHA-256 of the certificate's DER, hex. */
  id: string;
  /** DER of the self-signed certificate. */
  certificate: Buffer;
  certificatePem: string;
  privateKey: KeyObject;
};

export type EvidenceEncryptionKeys = {
  /** The active key, created on first use; replicas starting together end up with one. */
  active(): Promise<EvidenceEncryptionKey>;
};

/** RSA: key transport (PKCS#1 v1.5 or OAEP) is what every CMS implementation, `openssl cms -encrypt` first, can encrypt to. */
const RSA_BITS = 3072;

type KeyRow = { id: string; certificate: Buffer; private_key_sealed: string };

/** The key id is bound into the sealing: a sealed key moved to another row does not open. */
const sealingContext = (id: string) => `evidence_encryption_keys:${id}`;

/** For `veridity rotate-encryption-key`. */
export const EVIDENCE_ENCRYPTION_KEY_SEALED_COLUMNS = [
  sealedColumn({ table: 'evidence_encryption_keys', column: 'private_key_sealed', primaryKey: ['id'], contextColumns: [], associatedData: (row) => sealingContext(row.id) }),
];
const fingerprint = (der: Buffer) => createHash('sha256').update(der).digest('hex');

/**
 * Opens a stored key. The certificate must certify the sealed private key: whoever can write the
 * table but lacks VERIDITY_ENCRYPTION_KEY cannot swap in a certificate of a key they hold.
 */
function openKeyRow(row: KeyRow, secretBox: SecretBox): EvidenceEncryptionKey {
  const privateKey = createPrivateKey({ key: secretBox.decrypt(row.private_key_sealed, sealingContext(row.id)), format: 'der', type: 'pkcs8' });
  const certificate = new X509Certificate(row.certificate);
  if (fingerprint(row.certificate) !== row.id || !certificate.checkPrivateKey(privateKey)) {
    throw new Error(`evidence encryption key ${row.id}: the certificate does not match the sealed private key`);
  }
  return { id: row.id, certificate: row.certificate, certificatePem: certificate.toString(), privateKey };
}

async function newKeyRow(secretBox: SecretBox, now: Date): Promise<KeyRow> {
  const keys = await promisify(generateKeyPair)('rsa', { modulusLength: RSA_BITS });
  // pkijs, loaded when a key is made (once per platform), not with the server.
  const { makeEncryptionCertificate } = await import('./make-encryption-certificate.ts');
  const certificate = await makeEncryptionCertificate(keys, now);
  const id = fingerprint(certificate);
  return { id, certificate, private_key_sealed: secretBox.encrypt(keys.privateKey.export({ format: 'der', type: 'pkcs8' }), sealingContext(id)) };
}

/** One per process: the opened key is kept in memory. */
export function createEvidenceEncryptionKeys(deps: { pool: Pool; secretBox: SecretBox; clock: Clock }): EvidenceEncryptionKeys {
  let active: Promise<EvidenceEncryptionKey> | undefined;
  const selectActive = async () =>
    (await deps.pool.query<KeyRow>('SELECT id, certificate, private_key_sealed FROM evidence_encryption_keys WHERE retired_at IS NULL')).rows[0];

  async function getOrCreate(): Promise<EvidenceEncryptionKey> {
    const existing = await selectActive();
    if (existing) return openKeyRow(existing, deps.secretBox);
    const row = await newKeyRow(deps.secretBox, deps.clock.now());
    // The partial unique index admits one active key: a concurrent creator's row wins and everybody reads it.
    await deps.pool.query(
      `INSERT INTO evidence_encryption_keys (id, certificate, private_key_sealed, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT ((true)) WHERE retired_at IS NULL DO NOTHING`,
      [row.id, row.certificate, row.private_key_sealed, deps.clock.now()],
    );
    const stored = await selectActive();
    if (!stored) throw new Error('no active evidence encryption key after creating one (retired concurrently?)');
    return openKeyRow(stored, deps.secretBox);
  }

  return {
    active() {
      active ??= getOrCreate();
      active.catch(() => (active = undefined));
      return active;
    },
  };
}
