import { z } from 'zod';
import { bindJob } from '#platform/queue/job-binding.ts';
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

export const LedgerAuditBinding = bindJob(LedgerAuditJob, async () => (await import('./run-ledger-audit.ts')).runLedgerAudit);
