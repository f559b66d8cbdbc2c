import type { Pool, PoolClient } from '#platform/db/pool.ts';

/** What a partner was charged for a period so far (the last charge's month-to-date amount), in minor units. */
export async function chargedInPeriod(q: Pool | PoolClient, clientId: string, period: Date): Promise<number> {
  const { rows } = await q.query<{ charged: string }>(
    "SELECT COALESCE(max(cumulative), 0)::text AS charged FROM balance_transactions WHERE client_id = $1 AND kind = 'charge' AND period = $2",
    [clientId, period],
  );
  return Number(rows[0]!.charged);
}
