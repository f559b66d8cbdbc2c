import type { Pool, PoolClient } from '#platform/db/pool.ts';
import { nextPeriodStart } from './billing-period.ts';
import type { Plan, PlanVersion, Tier } from './plan-schema.ts';

type PlanVersionRow = { version: number; effective_from: Date; rate_limit_per_minute: number; monthly_spending_cap: string | null; products: PlanVersion['products'] };

const toVersion = (row: PlanVersionRow): PlanVersion => ({
  version: row.version,
  effective_from: row.effective_from.toISOString(),
  rate_limit_per_minute: row.rate_limit_per_minute,
  monthly_spending_cap: row.monthly_spending_cap === null ? null : Number(row.monthly_spending_cap),
  products: row.products,
});

/** The version of `tier` in force at `at` (the latest effective by then); the migration seeds one since the epoch. */
export async function planVersionAt(db: Pool | PoolClient, tier: Tier, at: Date): Promise<PlanVersion> {
  const { rows } = await db.query<PlanVersionRow>(
    `SELECT version, effective_from, rate_limit_per_minute, monthly_spending_cap::text, products FROM plan_versions
      WHERE tier = $1 AND effective_from <= $2 ORDER BY effective_from DESC LIMIT 1`,
    [tier, at],
  );
  return toVersion(rows[0]!);
}

/** A tier now, and the edit waiting for the next period if there is one. */
export async function findPlan(deps: { pool: Pool; currency: string }, tier: Tier, now: Date): Promise<Plan> {
  const current = await planVersionAt(deps.pool, tier, now);
  const next = await planVersionAt(deps.pool, tier, nextPeriodStart(now));
  return { tier, currency: deps.currency, current, next: next.version === current.version ? null : next };
}
