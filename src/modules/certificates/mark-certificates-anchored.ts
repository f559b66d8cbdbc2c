import type { PoolClient } from '#platform/db/pool.ts';
import { listEntryPublicIds } from '#modules/ledger/list-entry-public-ids.ts';
import { CERTIFICATE_KIND } from './certificate-ledger.ts';
import type { CertificateAnchor } from './document/certificate-anchor.ts';

/**
 * Marks ANCHORED the certificates whose ledger entries a confirmed anchor newly covers (positions
 * [fromIndex, toIndex): toIndex is the anchored checkpoint's tree size), in the caller's
 * transaction. Only CERTIFIED_NO_ANCHOR ones move (a revoked one stays revoked; one an earlier
 * anchor covered keeps that anchor). The current PDF is set aside (it stays a kept version): the
 * next download renders one that carries the anchor and a receipt under the anchored checkpoint.
 */
export async function markCertificatesAnchored(tx: PoolClient, covered: { fromIndex: number; toIndex: number; anchor: CertificateAnchor; anchoredAt: Date }): Promise<number> {
  const publicIds = await listEntryPublicIds(tx, CERTIFICATE_KIND, covered);
  if (publicIds.length === 0) return 0;
  const updated = await tx.query(
    `UPDATE certificates SET status = 'ANCHORED', anchor = $2, anchored_at = $3, pdf_object_key = NULL, pdf_sha256 = NULL
     WHERE public_id = ANY($1) AND status = 'CERTIFIED_NO_ANCHOR'`,
    [publicIds, JSON.stringify(covered.anchor), covered.anchoredAt],
  );
  return updated.rowCount ?? 0;
}
