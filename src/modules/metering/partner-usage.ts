import type { Pool } from '#platform/db/pool.ts';
import type { Product } from './products.ts';
import { USAGE_ROWS, usageParams } from './usage-source.ts';

export const GRANULARITIES = ['hour', 'day', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export type UsagePoint = { period_start: string; product: Product; quantity: number };

/** A partner's own usage per product and UTC hour, day or month (only periods with usage). */
export async function partnerUsage(
  deps: { pool: Pool },
  query: { clientId: string; from?: Date | undefined; to?: Date | undefined; product?: Product | undefined; granularity: Granularity },
): Promise<UsagePoint[]> {
  const { rows } = await deps.pool.query<{ period_start: Date; product: Product; quantity: string }>(
    `SELECT date_trunc($6, at, 'UTC') AS period_start, product, sum(quantity)::text AS quantity
       FROM ${USAGE_ROWS} u
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [...usageParams(query), query.granularity],
  );
  return rows.map((row) => ({ period_start: row.period_start.toISOString(), product: row.product, quantity: Number(row.quantity) }));
}
