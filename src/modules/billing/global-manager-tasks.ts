import type { GlobalManagerTask } from '#modules/global-manager/task.ts';
import type { DepositsInPeriod } from './invoices/compute-invoice.ts';
import { finalizeInvoices } from './invoices/finalize-invoices.ts';

/**
 * Finalizes the invoices of closed months (`graceMinutes` after the month ends, once its usage is
 * aggregated: see finalizeInvoices) and writes the operator exports. Runs after `aggregate-usage`.
 */
export function invoiceFinalizationTask(settings: { currency: string; graceMinutes: number; depositsInPeriod: DepositsInPeriod }): GlobalManagerTask {
  return {
    name: 'finalize-invoices',
    run: async (deps, { now, signal }) =>
      finalizeInvoices({ pool: deps.pool, storage: deps.storage, currency: settings.currency, depositsInPeriod: settings.depositsInPeriod }, { now, graceMinutes: settings.graceMinutes, signal }),
  };
}
