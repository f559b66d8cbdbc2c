import type { Pool } from '#platform/db/pool.ts';

export type UsageFilter = { from?: Date; to?: Date; claimType?: string; clientId?: string };
export type UsageDay = { date: string; verified: number; failed: number };

/** Seed `GET /api/admin/usage`: verification outcomes per UTC day, from the metering events. */
export async function usageSeries(deps: { pool: Pool }, filter: UsageFilter): Promise<UsageDay[]> {
  const { rows } = await deps.pool.query<{ day: string; verified: number; failed: number }>(
    `SELECT to_char((at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day,
            count(*) FILTER (WHERE outcome = 'verified')::int AS verified,
            count(*) FILTER (WHERE outcome = 'failed')::int AS failed
       FROM usage_events
      WHERE kind = 'zk.verify'
        AND ($1::timestamptz IS NULL OR at >= $1)
        AND ($2::timestamptz IS NULL OR at < $2)
        AND ($3::text IS NULL OR claim_type = $3)
        AND ($4::text IS NULL OR client_id = $4)
      GROUP BY 1 ORDER BY 1`,
    [filter.from ?? null, filter.to ?? null, filter.claimType ?? null, filter.clientId ?? null],
  );
  return rows.map((row) => ({ date: row.day, verified: row.verified, failed: row.failed }));
}
