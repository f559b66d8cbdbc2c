import type { Pool } from '#platform/db/pool.ts';
import { findClientName } from '#modules/clients/find-client-name.ts';
import { partnerUsage } from '#modules/metering/partner-usage.ts';
import { PRODUCTS } from '#modules/metering/products.ts';
import { nextPeriodStart } from '../billing-period.ts';
import { clientPlanAt } from '../client-plan.ts';
import type { Tier } from '../plan-schema.ts';
import { priceInvoice, type InvoiceTotals } from './price-invoice.ts';

/** The credits a partner got in [from, to), in minor units: deposits, refunds and adjustments, net (the balance ledger's: creditsInPeriod). */
export type CreditsInPeriod = (clientId: string, from: Date, to: Date) => Promise<number>;

export type InvoiceDeps = { pool: Pool; currency: string; creditsInPeriod: CreditsInPeriod };

export type ComputedInvoice = InvoiceTotals & { clientId: string; clientName: string; periodStart: Date; periodEnd: Date; tier: Tier; planVersion: number };

/**
 * A partner's invoice for the month starting at `periodStart`, from its usage so far (aggregates
 * and the unaggregated tail); undefined when it had no plan in that month. The month is billed on
 * the plan in force at its end (a change applies from a month start, so that is the month's one
 * plan) and that tier's version of the month; a first plan taken mid-month bills usage from the
 * hour it was taken.
 */
export async function computeInvoice(deps: InvoiceDeps, clientId: string, periodStart: Date): Promise<ComputedInvoice | undefined> {
  const periodEnd = nextPeriodStart(periodStart);
  const plan = await clientPlanAt(deps, clientId, new Date(periodEnd.getTime() - 1));
  if (!plan) return undefined;
  const from = plan.since > periodStart ? plan.since : periodStart;
  const usage = await partnerUsage(deps, { clientId, from, to: periodEnd, granularity: 'month' });
  const quantities = new Map(usage.map((point) => [point.product, point.quantity]));
  const totals = priceInvoice(
    plan.version.products,
    PRODUCTS.map((product) => ({ product, quantity: quantities.get(product) ?? 0 })),
    await deps.creditsInPeriod(clientId, periodStart, periodEnd),
  );
  const clientName = (await findClientName(deps.pool, clientId)) ?? clientId;
  return { ...totals, clientId, clientName, periodStart, periodEnd, tier: plan.tier, planVersion: plan.version.version };
}
