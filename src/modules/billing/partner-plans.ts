import type { Pool } from '#platform/db/pool.ts';

/** The tier in force for each of `clientIds` at `now` (clients without a plan are left out). */
export async function partnerTiersAt(deps: { pool: Pool }, clientIds: readonly string[], now: Date): Promise<ReadonlyMap<string, string>> {
  const { rows } = await deps.pool.query<{ client_id: string; tier: string }>(
    `SELECT DISTINCT ON (client_id) client_id, tier FROM client_plans
      WHERE client_id = ANY ($1::text[]) AND effective_from <= $2
      ORDER BY client_id, effective_from DESC`,
    [clientIds, now],
  );
  return new Map(rows.map((row) => [row.client_id, row.tier]));
}
