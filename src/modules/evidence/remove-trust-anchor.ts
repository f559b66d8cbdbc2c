import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import type { AuditActor } from '#modules/audit/record-audit.ts';
import { auditAnchorChange } from './audit-anchor-change.ts';
import { noteTrustChange } from './note-trust-change.ts';
import type { AnchorSet, TrustAnchorRow } from './tables.ts';
import { ANCHOR_COLUMNS } from './to-trust-anchor.ts';

/**
 * DELETE .../trust-anchors/{id} (or tsa-anchors): removes one anchor of the set, named by its id
 * (`tra_...`) or SHA-256 fingerprint; undefined when the set has none such (another partner's, or
 * an operator-wide one asked for by a partner). Submissions verified before keep their outcome.
 */
export async function removeTrustAnchor(deps: { pool: Pool; clock: Clock }, set: AnchorSet, idOrFingerprint: string, actor: AuditActor): Promise<TrustAnchorRow | undefined> {
  const now = deps.clock.now();
  return inTransaction(deps.pool, async (tx) => {
    const { rows } = await tx.query<TrustAnchorRow>(
      `DELETE FROM evidence_trust_anchors
        WHERE client_id IS NOT DISTINCT FROM $1 AND role = $2 AND (id = $3 OR sha256_fingerprint = $3)
        RETURNING ${ANCHOR_COLUMNS}`,
      [set.clientId, set.role, idOrFingerprint],
    );
    const row = rows[0];
    if (row) {
      await auditAnchorChange(tx, actor, set, { action: 'removed', row }, now);
      await noteTrustChange(tx, set, now);
    }
    return row;
  });
}
