import type { Pool } from '#platform/db/pool.ts';
import { planVersionAt } from './find-plan.ts';
import type { PlanVersion, Tier } from './plan-schema.ts';

export type ClientPlan = { tier: Tier; since: Date; version: PlanVersion };

/** A partner's tier at `at` and the tier's version in force then; undefined: no plan. */
export async function clientPlanAt(deps: { pool: Pool }, clientId: string, at: Date): Promise<ClientPlan | undefined> {
  const { rows } = await deps.pool.query<{ tier: Tier; effective_from: Date }>(
    'SELECT tier, effective_from FROM client_plans WHERE client_id = $1 AND effective_from <= $2 ORDER BY effective_from DESC LIMIT 1',
    [clientId, at],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { tier: row.tier, since: row.effective_from, version: await planVersionAt(deps.pool, row.tier, at) };
}

/** The tier a partner moves to at a later period start, if one is scheduled. */
export async function scheduledClientPlan(deps: { pool: Pool }, clientId: string, after: Date): Promise<{ tier: Tier; effectiveFrom: Date } | undefined> {
  const { rows } = await deps.pool.query<{ tier: Tier; effective_from: Date }>(
    'SELECT tier, effective_from FROM client_plans WHERE client_id = $1 AND effective_from > $2 ORDER BY effective_from LIMIT 1',
    [clientId, after],
  );
  return rows[0] ? { tier: rows[0].tier, effectiveFrom: rows[0].effective_from } : undefined;
}
