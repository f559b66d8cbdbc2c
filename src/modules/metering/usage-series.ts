import type { Pool } from '#platform/db/pool.ts';
import { USAGE_ROWS, usageParams } from './usage-source.ts';

export type UsageFilter = { from?: Date; to?: Date; claimType?: string; clientId?: string };
export type UsageDay = { date: string; verified: number; failed: number };

/** Seed `GET /api/admin/usage`: verification outcomes per UTC day, from the usage aggregates and the tail not yet aggregated. */
export async function usageSeries(deps: { pool: Pool }, filter: UsageFilter): Promise<UsageDay[]> {
  const { rows } = await deps.pool.query<{ day: string; verified: number; failed: number }>(
    `SELECT to_char(date_trunc('day', at, 'UTC') AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
            COALESCE(sum(quantity) FILTER (WHERE outcome = 'verified'), 0)::int AS verified,
            COALESCE(sum(quantity) FILTER (WHERE outcome = 'failed'), 0)::int AS failed
       FROM ${USAGE_ROWS} u
      GROUP BY 1 ORDER BY 1`,
    usageParams({ ...filter, product: 'zk_verification' }),
  );
  return rows.map((row) => ({ date: row.day, verified: row.verified, failed: row.failed }));
}
