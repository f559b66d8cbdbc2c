import type { Pool } from '#platform/db/pool.ts';
import { partnerUsage, type UsagePoint } from '#modules/metering/partner-usage.ts';
import type { Product } from '#modules/metering/products.ts';
import { findBillingAccount } from './billing-account.ts';
import { nextPeriodStart, periodStart } from './billing-period.ts';
import { chargedInPeriod } from './charged-in-period.ts';
import { clientPlanAt } from './client-plan.ts';
import { overageSpend } from './overage-spend.ts';
import type { PlanTerms } from './plan-schema.ts';

/** What one evidence submission may cost at most: its verification and, certified, its certificate. */
const SUBMISSION_PRODUCTS: readonly Product[] = ['evidence_verification', 'evidence_certificate'];

/**
 * How many of `waiting` evidence submissions fit, each priced at its worst (verified and
 * certified) after `inPipeline` ones already queued and not yet metered: the month's overage with
 * them stays within the spending cap and, prepaid, what they add stays within `credit` (the
 * balance less the overage not charged yet). Free within the included quotas. The overage only
 * grows with each one, so the largest count that fits is found by bisection.
 */
export function affordableSubmissions(
  terms: Pick<PlanTerms, 'products' | 'monthly_spending_cap'>,
  usage: readonly Pick<UsagePoint, 'product' | 'quantity'>[],
  counts: { inPipeline: number; waiting: number; credit: number | undefined },
): number {
  const spendWith = (submissions: number) => overageSpend(terms, [...usage, ...SUBMISSION_PRODUCTS.map((product) => ({ product, quantity: submissions }))]);
  const spent = spendWith(0);
  const cap = terms.monthly_spending_cap;
  const fits = (released: number) => {
    const spend = spendWith(counts.inPipeline + released);
    return (cap === null || spend <= cap) && (counts.credit === undefined || spend - spent <= counts.credit);
  };
  if (!fits(0)) return 0;
  let low = 0;
  let high = counts.waiting;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * How many of a partner's waiting evidence submissions its credits cover now (the release of
 * `awaiting_credits`, after the cycle's charges): all of them without a plan unless a prepaid
 * balance is below zero; else `affordableSubmissions` over this month's usage so far.
 */
export async function submissionsCovered(deps: { pool: Pool }, clientId: string, now: Date, counts: { inPipeline: number; waiting: number }): Promise<number> {
  const account = await findBillingAccount(deps.pool, clientId);
  const prepaid = account.mode === 'prepaid';
  const plan = await clientPlanAt(deps, clientId, now);
  if (!plan) return prepaid && account.balance < 0 ? 0 : counts.waiting;
  const period = periodStart(now);
  const usage = await partnerUsage(deps, { clientId, from: period, to: nextPeriodStart(now), granularity: 'month' });
  let credit: number | undefined;
  if (prepaid) {
    const cap = plan.version.monthly_spending_cap;
    const spent = overageSpend(plan.version, usage);
    const uncharged = Math.max(0, (cap === null ? spent : Math.min(spent, cap)) - (await chargedInPeriod(deps.pool, clientId, period)));
    credit = account.balance - uncharged;
  }
  return affordableSubmissions(plan.version, usage, { ...counts, credit });
}
