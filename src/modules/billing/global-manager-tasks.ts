import type { GlobalManagerTask } from '#modules/global-manager/task.ts';
import { chargeUsage } from './charge-usage.ts';
import { creditsInPeriod } from './credits-in-period.ts';
import { finalizeInvoices } from './invoices/finalize-invoices.ts';

/**
 * Finalizes the invoices of closed months (`graceMinutes` after the month ends, once its usage is
 * aggregated: see finalizeInvoices) and writes the operator exports. Runs after `aggregate-usage`.
 */
export function invoiceFinalizationTask(settings: { currency: string; graceMinutes: number }): GlobalManagerTask {
  return {
    name: 'finalize-invoices',
    run: async (deps, { now, signal }) =>
      finalizeInvoices({ pool: deps.pool, storage: deps.storage, currency: settings.currency, creditsInPeriod: creditsInPeriod(deps) }, { now, graceMinutes: settings.graceMinutes, signal }),
  };
}

/** Charges month-to-date overage to partners' balances, after aggregation (idempotent and crash-safe: see chargeUsage). */
export const chargeUsageTask = (currency: string): GlobalManagerTask => ({
  name: 'charge-usage',
  run: async (deps, { now, signal }) => chargeUsage(deps, { now, currency, signal }),
});
