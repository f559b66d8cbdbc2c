import { z } from 'zod';
import { bindJob } from '#platform/queue/job-binding.ts';
import { defineJob } from '#platform/queue/job-definition.ts';

/** Hourly: forget previous webhook secrets once their rotation window closed. */
export const PurgeRotatedSecretsJob = defineJob({
  name: 'webhooks.purge-rotated-secrets',
  schema: z.object({}),
  retryLimit: 3,
  retryDelaySeconds: 60,
  expireInSeconds: 120,
});

export const PURGE_ROTATED_SECRETS_CRON = '17 * * * *';

export const PurgeRotatedSecretsBinding = bindJob(PurgeRotatedSecretsJob, async () => (await import('./purge-rotated-secrets.ts')).purgeRotatedSecrets);
