import type { Pool } from '#platform/db/pool.ts';

/** What a partner's evidence is verified against: its signing anchors, every CRL that applies, its and the operator's TSA anchors. */
export type EvidenceTrustAnchors = { anchors: Buffer[]; crls: Buffer[]; tsaAnchors: Buffer[] };

/**
 * Read at each verification, so an anchor added or removed applies to the next document. The
 * partner's agent CA (see agents/) is one of its signing anchors, with its current CRL: an agent
 * revoked since it signed a document is refused CERT_REVOKED when that document is verified.
 */
export async function loadEvidenceTrust(deps: { pool: Pool }, clientId: string): Promise<EvidenceTrustAnchors> {
  const { rows } = await deps.pool.query<{ role: 'signing' | 'timestamping'; kind: 'certificate' | 'crl'; der: Buffer }>(
    `SELECT id, role, kind, der FROM evidence_trust_anchors
      WHERE client_id = $1 OR (client_id IS NULL AND role = 'timestamping')
     UNION ALL SELECT id, 'signing', 'certificate', certificate FROM evidence_agent_cas WHERE client_id = $1
     UNION ALL SELECT id, 'signing', 'crl', crl FROM evidence_agent_cas WHERE client_id = $1
     ORDER BY id`,
    [clientId],
  );
  return {
    anchors: rows.filter((row) => row.role === 'signing' && row.kind === 'certificate').map((row) => row.der),
    crls: rows.filter((row) => row.kind === 'crl').map((row) => row.der),
    tsaAnchors: rows.filter((row) => row.role === 'timestamping' && row.kind === 'certificate').map((row) => row.der),
  };
}
