import type { GlobalManagerTask } from '#modules/global-manager/task.ts';
import { chargeUsage } from './charge-usage.ts';

/** Charges month-to-date overage to partners' balances, after aggregation (idempotent and crash-safe: see chargeUsage). */
export const chargeUsageTask = (currency: string): GlobalManagerTask => ({
  name: 'charge-usage',
  run: async (deps, { now, signal }) => chargeUsage(deps, { now, currency, signal }),
});
