import { drizzle } from 'drizzle-orm/node-postgres';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import type { Clock } from '#platform/clock.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { findClientName } from '#modules/clients/find-client-name.ts';
import { nextPeriodStart } from './billing-period.ts';
import type { Tier } from './plan-schema.ts';

export type AssignClientPlanResult =
  | { ok: true; value: { tier: Tier; effectiveFrom: Date } }
  | { ok: false; code: 'NOT_FOUND' | 'CONFLICT'; message: string };

/**
 * Puts a partner on a tier from the next period (a month is billed on one plan). `effective:
 * 'now'` is for a partner's first plan only (nothing was billed on another): it applies at once.
 * A second change before the next period replaces the scheduled one.
 */
export async function assignClientPlan(
  deps: { pool: Pool; clock: Clock },
  clientId: string,
  input: { tier: Tier; effective: 'now' | 'next_period' },
  actor: AuditActor,
): Promise<AssignClientPlanResult> {
  const now = deps.clock.now();
  return inTransaction(deps.pool, async (tx) => {
    if ((await findClientName(tx, clientId)) === undefined) return { ok: false, code: 'NOT_FOUND', message: `no client ${clientId}` } as const;
    // Two assignments for one client are ordered.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`client_plans:${clientId}`]);
    let effectiveFrom = nextPeriodStart(now);
    if (input.effective === 'now') {
      const existing = await tx.query('SELECT 1 FROM client_plans WHERE client_id = $1 LIMIT 1', [clientId]);
      if (existing.rows.length > 0) return { ok: false, code: 'CONFLICT', message: 'the client has a plan already: a change applies from the next period' } as const;
      effectiveFrom = now;
    }
    await tx.query('DELETE FROM client_plans WHERE client_id = $1 AND effective_from > $2', [clientId, now]);
    await tx.query('INSERT INTO client_plans (client_id, effective_from, tier, created_at) VALUES ($1, $2, $3, $4)', [clientId, effectiveFrom, input.tier, now]);
    await recordAudit(drizzle({ client: tx }), actor, { action: 'client.plan_assigned', targetType: 'api_client', targetId: clientId, details: { tier: input.tier, effective_from: effectiveFrom.toISOString() } }, now);
    return { ok: true, value: { tier: input.tier, effectiveFrom } } as const;
  });
}
