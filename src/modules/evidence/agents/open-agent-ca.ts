import { createPrivateKey, generateKeyPair, X509Certificate, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { sealedColumn } from '#platform/crypto/sealed-columns.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import type { PoolClient } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import { makeAgentCaCertificate, makeAgentCrl } from './agent-pki.ts';

/** A partner's agent CA, opened: its key is in memory only while it issues a certificate or a CRL. */
export type OpenedAgentCa = { id: string; clientId: string; certificate: Buffer; privateKey: KeyObject; crlNumber: number };

type CaRow = { id: string; client_id: string; certificate: Buffer; private_key_sealed: string; crl_number: string };

/** The CA id is bound into the sealing: a sealed key moved to another row does not open. */
const sealingContext = (id: string) => `evidence_agent_cas:${id}`;

/** For `veridity rotate-encryption-key`. */
export const AGENT_CA_SEALED_COLUMNS = [
  sealedColumn({ table: 'evidence_agent_cas', column: 'private_key_sealed', primaryKey: ['id'], contextColumns: [], associatedData: (row) => sealingContext(row.id) }),
];

function open(row: CaRow, secretBox: SecretBox): OpenedAgentCa {
  const privateKey = createPrivateKey({ key: secretBox.decrypt(row.private_key_sealed, sealingContext(row.id)), format: 'der', type: 'pkcs8' });
  // Whoever can write the table but lacks VERIDITY_ENCRYPTION_KEY cannot swap in a CA certificate of a key they hold.
  if (!new X509Certificate(row.certificate).checkPrivateKey(privateKey)) throw new Error(`agent CA ${row.id}: the certificate does not match the sealed private key`);
  return { id: row.id, clientId: row.client_id, certificate: row.certificate, privateKey, crlNumber: Number(row.crl_number) };
}

const SELECT = 'SELECT id, client_id, certificate, private_key_sealed, crl_number FROM evidence_agent_cas WHERE client_id = $1 FOR UPDATE';

/**
 * The partner's agent CA, locked for the rest of `tx` (issuing and revoking are serialised per
 * partner), created with its first (empty) CRL when the partner has none: an ECDSA P-256 key
 * sealed with the secret box and a 20-year self-signed CA certificate.
 */
export async function openAgentCa(tx: PoolClient, deps: { secretBox: SecretBox }, client: { id: string; name: string }, now: Date): Promise<OpenedAgentCa> {
  const existing = (await tx.query<CaRow>(SELECT, [client.id])).rows[0];
  if (existing) return open(existing, deps.secretBox);
  const keys = await promisify(generateKeyPair)('ec', { namedCurve: 'P-256' });
  const certificate = await makeAgentCaCertificate(keys, { clientId: client.id, organization: client.name }, now);
  const crl = await makeAgentCrl({ certificate, privateKey: keys.privateKey }, [], 1, now);
  const id = newId('aca', now.getTime());
  await tx.query(
    `INSERT INTO evidence_agent_cas (id, client_id, certificate, private_key_sealed, crl, crl_number, crl_next_update, created_at)
     VALUES ($1, $2, $3, $4, $5, 1, $6, $7) ON CONFLICT (client_id) DO NOTHING`,
    [id, client.id, certificate, deps.secretBox.encrypt(keys.privateKey.export({ format: 'der', type: 'pkcs8' }), sealingContext(id)), crl.der, crl.nextUpdate, now],
  );
  // A concurrent first enrollment of the same partner may have won: everybody uses the stored CA.
  return open((await tx.query<CaRow>(SELECT, [client.id])).rows[0]!, deps.secretBox);
}
