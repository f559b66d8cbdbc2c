import { z } from 'zod';
import { defineJob } from '#platform/queue/job-definition.ts';

/** Daily: recompute the whole log and compare it with the database and every checkpoint. */
export const LedgerAuditJob = defineJob({
  name: 'ledger.audit',
  schema: z.object({}),
  retryLimit: 2,
  retryDelaySeconds: 300,
  expireInSeconds: 3600,
});

export const LEDGER_AUDIT_CRON = '41 3 * * *';
