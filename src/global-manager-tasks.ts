import { expiredChallengesCleanupTask } from '#modules/agents/global-manager-tasks.ts';
import { gatewayVaultTask } from '#modules/gateway-vault/global-manager-tasks.ts';
import type { PartnerPricing } from '#modules/gateway-vault/partner-pricing.ts';
import { runsCleanupTask } from '#modules/global-manager/global-manager-tasks.ts';
import type { GlobalManagerTask } from '#modules/global-manager/task.ts';
import { invoiceFinalizationTask } from '#modules/billing/global-manager-tasks.ts';
import { noDeposits } from '#modules/billing/invoices/compute-invoice.ts';
import { partnerTiersAt } from '#modules/billing/partner-plans.ts';
import { usageAggregationTask } from '#modules/metering/global-manager-tasks.ts';

/** The vault's plan per partner from the billing module; `over_cap` stays false until caps are enforced. */
const planPricing: PartnerPricing = async (deps, clientIds, now) =>
  new Map([...(await partnerTiersAt(deps, clientIds, now))].map(([clientId, tier]) => [clientId, { plan: tier, overCap: false }]));

/**
 * The global manager's cycle, in order. A module adds a task with one entry here (its
 * `global-manager-tasks.ts` declares it): usage aggregation, pricing and billing, invoice
 * finalisation go before the vault, which then publishes their plans and over-cap flags.
 */
export function globalManagerTasks(settings: { runsKeepDays: number; billingCurrency: string; invoiceGraceMinutes: number }): GlobalManagerTask[] {
  return [
    usageAggregationTask,
    // Deposits applied on invoices: the prepaid balance ledger's deposits in a period, once it is merged (noDeposits until then).
    invoiceFinalizationTask({ currency: settings.billingCurrency, graceMinutes: settings.invoiceGraceMinutes, depositsInPeriod: noDeposits }),
    gatewayVaultTask(planPricing),
    expiredChallengesCleanupTask,
    runsCleanupTask(settings.runsKeepDays),
  ];
}
