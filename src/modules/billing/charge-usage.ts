import { inTransaction, type Pool, type PoolClient } from '#platform/db/pool.ts';
import { enqueueWebhookEvent } from '#modules/webhooks/enqueue-webhook-event.ts';
import { partnerUsage } from '#modules/metering/partner-usage.ts';
import { refreshBillingAccount } from './billing-account.ts';
import { nextPeriodStart, periodStart } from './billing-period.ts';
import { chargedInPeriod } from './charged-in-period.ts';
import { clientPlanAt } from './client-plan.ts';
import { overageSpend } from './overage-spend.ts';
import { postBalanceTransaction } from './post-balance-transaction.ts';

/** The soft cap: `billing.threshold_reached` once per threshold (percent of the spending cap) and period. */
export const THRESHOLDS = [80, 100] as const;

type Counts = { partners: number; charges: number; charged: number; thresholds: number };

/**
 * Posts what partners owe for their usage: for the current period and the one before (its last
 * usage, aggregated after it ended), the month-to-date overage on the plan in force, capped by the
 * plan's spending cap, minus what was charged already in the period. A charge is keyed by (client,
 * period, cumulative amount): run twice, or rerun after a crash (each partner's period is one
 * transaction), it posts once. The same transaction updates the partner's cap state and raises
 * the 80 % / 100 % webhooks.
 */
export async function chargeUsage(deps: { pool: Pool }, options: { now: Date; currency: string; signal?: AbortSignal }): Promise<Counts> {
  const { now } = options;
  const counts: Counts = { partners: 0, charges: 0, charged: 0, thresholds: 0 };
  const current = periodStart(now);
  const previous = periodStart(new Date(current.getTime() - 1));
  const { rows } = await deps.pool.query<{ client_id: string }>('SELECT DISTINCT client_id FROM client_plans WHERE effective_from <= $1 ORDER BY client_id', [now]);
  for (const { client_id: clientId } of rows) {
    if (options.signal?.aborted) break;
    counts.partners++;
    for (const period of [previous, current]) {
      const end = nextPeriodStart(period);
      const plan = await clientPlanAt(deps, clientId, end < now ? new Date(end.getTime() - 1) : now);
      if (!plan) continue;
      const spend = overageSpend(plan.version, await partnerUsage(deps, { clientId, from: period, to: end, granularity: 'month' }));
      const cap = plan.version.monthly_spending_cap;
      const posted = await inTransaction(deps.pool, (tx) => chargePeriod(tx, { clientId, period, spend, cap, now, currency: options.currency, current: period.getTime() === current.getTime() }));
      counts.charges += posted.charged > 0 ? 1 : 0;
      counts.charged += posted.charged;
      counts.thresholds += posted.thresholds;
    }
  }
  return counts;
}

async function chargePeriod(
  tx: PoolClient,
  input: { clientId: string; period: Date; spend: number; cap: number | null; now: Date; currency: string; current: boolean },
): Promise<{ charged: number; thresholds: number }> {
  const { clientId, period, spend, cap, now } = input;
  // One charge run per partner at a time (the leader's cycle, a manual run): the second waits and sees the first's charge.
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`billing_charges:${clientId}`]);
  const due = cap === null ? spend : Math.min(spend, cap);
  const delta = due - (await chargedInPeriod(tx, clientId, period));
  if (delta > 0) await postBalanceTransaction(tx, { clientId, kind: 'charge', amount: -delta, at: now, charge: { period, cumulative: due } });
  let thresholds = 0;
  if (cap !== null && spend > 0) {
    for (const threshold of THRESHOLDS) {
      if (spend * 100 < cap * threshold) continue;
      const reached = await tx.query(
        'INSERT INTO billing_thresholds (client_id, period, threshold, reached_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
        [clientId, period, threshold, now],
      );
      if (reached.rowCount === 0) continue;
      thresholds++;
      await enqueueWebhookEvent(tx, {
        clientId,
        type: 'billing.threshold_reached',
        subjectId: null,
        payload: { event: 'billing.threshold_reached', threshold, period: period.toISOString(), spend, cap, currency: input.currency, ts: now.toISOString() },
      });
    }
  }
  // The account keeps the current period's spend; a late charge of the previous period moves only the balance.
  await refreshBillingAccount(tx, clientId, now, input.current ? { spend: { period, spend, cap } } : {});
  return { charged: Math.max(0, delta), thresholds };
}
