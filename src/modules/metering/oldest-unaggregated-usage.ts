import type { Pool } from '#platform/db/pool.ts';

/**
 * When the oldest usage event not yet aggregated happened; undefined when every event is. Billing
 * finalizes a month only once nothing before its end waits for aggregation.
 */
export async function oldestUnaggregatedUsage(deps: { pool: Pool }): Promise<Date | undefined> {
  const { rows } = await deps.pool.query<{ at: Date | null }>('SELECT min(at) AS at FROM usage_events WHERE aggregated_at IS NULL');
  return rows[0]?.at ?? undefined;
}
