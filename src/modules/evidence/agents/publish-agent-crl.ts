import type { PoolClient } from '#platform/db/pool.ts';
import { makeAgentCrl } from './agent-pki.ts';
import type { OpenedAgentCa } from './open-agent-ca.ts';

/**
 * Signs the CA's next CRL (number + 1) listing every revoked agent of the CA, and stores it as
 * the current one, in the caller's transaction (which holds the CA row's lock). The evidence
 * path and GET /ingest/v1/crl/{id} both read the stored CRL.
 */
export async function publishAgentCrl(tx: PoolClient, ca: OpenedAgentCa, now: Date): Promise<{ der: Buffer; nextUpdate: Date }> {
  const { rows } = await tx.query<{ serial_number: string; revoked_at: Date }>(
    'SELECT serial_number, revoked_at FROM evidence_agents WHERE agent_ca_id = $1 AND revoked_at IS NOT NULL ORDER BY revoked_at, id',
    [ca.id],
  );
  const number = ca.crlNumber + 1;
  const crl = await makeAgentCrl(ca, rows.map((row) => ({ serialHex: row.serial_number, revokedAt: row.revoked_at })), number, now);
  await tx.query('UPDATE evidence_agent_cas SET crl = $2, crl_number = $3, crl_next_update = $4 WHERE id = $1', [ca.id, crl.der, number, crl.nextUpdate]);
  return crl;
}
