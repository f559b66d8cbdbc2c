import type { PoolClient } from '#platform/db/pool.ts';
import type { AnchorSet } from './tables.ts';

/**
 * Records, in the change's transaction, that a trust set changed at `at` (an anchor or CRL added,
 * replaced or removed): the retry worker re-tests rejections decided before it whose code depends on that set.
 */
export async function noteTrustChange(tx: PoolClient, set: AnchorSet, at: Date): Promise<void> {
  await tx.query(
    `INSERT INTO evidence_trust_changes (client_id, role, changed_at) VALUES ($1, $2, $3)
     ON CONFLICT ON CONSTRAINT evidence_trust_changes_owner_key DO UPDATE SET changed_at = greatest(evidence_trust_changes.changed_at, excluded.changed_at)`,
    [set.clientId, set.role, at],
  );
}
