import { expiredChallengesCleanupTask } from '#modules/agents/global-manager-tasks.ts';
import { consoleSessionsCleanupTask } from '#modules/console-sessions/global-manager-tasks.ts';
import { gatewayVaultTask } from '#modules/gateway-vault/global-manager-tasks.ts';
import type { PartnerPricing } from '#modules/gateway-vault/partner-pricing.ts';
import { runsCleanupTask } from '#modules/global-manager/global-manager-tasks.ts';
import type { GlobalManagerTask } from '#modules/global-manager/task.ts';
import { partnerTiersAt } from '#modules/billing/partner-plans.ts';
import { findBillingAccounts, overCapReason } from '#modules/billing/billing-account.ts';
import { chargeUsageTask, invoiceFinalizationTask } from '#modules/billing/global-manager-tasks.ts';
import { submissionsCovered } from '#modules/billing/submissions-covered.ts';
import { awaitingCreditsReleaseTask } from '#modules/evidence/global-manager-tasks.ts';
import { usageAggregationTask } from '#modules/metering/global-manager-tasks.ts';

/** The vault's plan and over-cap flag per partner from the billing module (the cap state the charge task just updated). */
const planPricing: PartnerPricing = async (deps, clientIds, now) => {
  const accounts = await findBillingAccounts(deps.pool, clientIds);
  return new Map(
    [...(await partnerTiersAt(deps, clientIds, now))].map(([clientId, tier]) => {
      const account = accounts.get(clientId);
      return [clientId, { plan: tier, overCap: account !== undefined && overCapReason(account, now) !== undefined }];
    }),
  );
};

/**
 * The global manager's cycle, in order. A module adds a task with one entry here (its
 * `global-manager-tasks.ts` declares it): usage aggregation, pricing and billing, invoice
 * finalisation go before the vault, which then publishes their plans and over-cap flags; the
 * release of evidence waiting for credits follows the charges it counts on.
 */
export function globalManagerTasks(settings: { runsKeepDays: number; billingCurrency: string; invoiceGraceMinutes: number }): GlobalManagerTask[] {
  return [
    usageAggregationTask,
    chargeUsageTask(settings.billingCurrency),
    invoiceFinalizationTask({ currency: settings.billingCurrency, graceMinutes: settings.invoiceGraceMinutes }),
    awaitingCreditsReleaseTask(submissionsCovered),
    gatewayVaultTask(planPricing),
    expiredChallengesCleanupTask,
    consoleSessionsCleanupTask,
    runsCleanupTask(settings.runsKeepDays),
  ];
}
