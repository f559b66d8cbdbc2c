import { drizzle } from 'drizzle-orm/node-postgres';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import type { Clock } from '#platform/clock.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { nextPeriodStart, periodStart } from './billing-period.ts';
import { findPlan } from './find-plan.ts';
import type { Plan, PlanTerms, Tier } from './plan-schema.ts';

export type UpdatePlanResult = { ok: true; value: Plan } | { ok: false; code: 'CONFLICT'; message: string };

/**
 * An operator's edit of a tier: a new version effective from the next period (a UTC month), so a
 * month is always billed on the terms it started with. Edited again before then, the waiting
 * version is replaced (it keeps its number: nobody was billed on it). `effective: 'now'` makes
 * the version in force for the whole current month, only while no partner has been on the tier
 * at any instant of it (nobody is billed on the terms it replaces; otherwise CONFLICT).
 */
export async function updatePlan(
  deps: { pool: Pool; clock: Clock; currency: string },
  tier: Tier,
  terms: PlanTerms,
  effective: 'now' | 'next_period',
  actor: AuditActor,
): Promise<UpdatePlanResult> {
  const now = deps.clock.now();
  const from = effective === 'now' ? periodStart(now) : nextPeriodStart(now);
  const conflict = await inTransaction(deps.pool, async (tx) => {
    // One edit of a tier at a time: the version number is the latest plus one.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`plan_versions:${tier}`]);
    if (effective === 'now') {
      // A partner on the tier this month: its plan in force at the month start, or one taken since.
      const { rows } = await tx.query(
        `SELECT 1 FROM client_plans p WHERE p.tier = $1 AND (
           (p.effective_from > $2 AND p.effective_from <= $3)
           OR p.effective_from = (SELECT max(o.effective_from) FROM client_plans o WHERE o.client_id = p.client_id AND o.effective_from <= $2))
         LIMIT 1`,
        [tier, from, now],
      );
      if (rows.length > 0) return `a partner is on ${tier} this month: an edit applies from the next period`;
    }
    await tx.query(
      `INSERT INTO plan_versions (tier, version, effective_from, rate_limit_per_minute, monthly_spending_cap, products, created_at)
       SELECT $1, COALESCE(max(version), 0) + 1, $2, $3, $4, $5, $6 FROM plan_versions WHERE tier = $1
       ON CONFLICT (tier, effective_from) DO UPDATE
          SET rate_limit_per_minute = excluded.rate_limit_per_minute, monthly_spending_cap = excluded.monthly_spending_cap,
              products = excluded.products, created_at = excluded.created_at`,
      [tier, from, terms.rate_limit_per_minute, terms.monthly_spending_cap, JSON.stringify(terms.products), now],
    );
    await recordAudit(drizzle({ client: tx }), actor, { action: 'plan.updated', targetType: 'plan', targetId: tier, details: { effective_from: from.toISOString(), ...terms } }, now);
    return undefined;
  });
  if (conflict !== undefined) return { ok: false, code: 'CONFLICT', message: conflict };
  return { ok: true, value: await findPlan(deps, tier, now) };
}
