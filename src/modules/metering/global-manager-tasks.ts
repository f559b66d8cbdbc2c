import type { GlobalManagerTask } from '#modules/global-manager/task.ts';
import { aggregateUsage } from './aggregate-usage.ts';

/** Unaggregated usage events into the hourly usage_records (crash-safe, idempotent: see aggregateUsage). */
export const usageAggregationTask: GlobalManagerTask = {
  name: 'aggregate-usage',
  run: async (deps, { now }) => aggregateUsage(deps, { now }),
};
