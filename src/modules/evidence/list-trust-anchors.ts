import type { Pool } from '#platform/db/pool.ts';
import type { AnchorRole, TrustAnchorRow } from './tables.ts';
import { ANCHOR_COLUMNS } from './to-trust-anchor.ts';

/**
 * The anchors that apply to a partner for a role, oldest first: its own and, for timestamping,
 * the operator-wide ones. `clientId` null: the operator-wide ones only.
 */
export async function listTrustAnchors(deps: { pool: Pool }, role: AnchorRole, clientId: string | null): Promise<TrustAnchorRow[]> {
  const { rows } = await deps.pool.query<TrustAnchorRow>(
    `SELECT ${ANCHOR_COLUMNS} FROM evidence_trust_anchors
      WHERE role = $1 AND (client_id = $2 OR (client_id IS NULL AND role = 'timestamping'))
      ORDER BY client_id NULLS FIRST, id`,
    [role, clientId],
  );
  return rows;
}
