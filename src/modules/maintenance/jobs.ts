import { z } from 'zod';
import { bindJob } from '#platform/queue/job-binding.ts';
import { defineJob } from '#platform/queue/job-definition.ts';

/** Hourly housekeeping: future partitions, expired single-use rows. */
export const MaintenanceJob = defineJob({
  name: 'maintenance',
  schema: z.object({}),
  retryLimit: 3,
  retryDelaySeconds: 60,
  expireInSeconds: 600,
});

export const MAINTENANCE_CRON = '7 * * * *';

export const MaintenanceBinding = bindJob(MaintenanceJob, async () => (await import('./run-maintenance.ts')).runMaintenance);
