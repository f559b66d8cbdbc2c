import client from 'prom-client';
import { queueJobFailures } from '#platform/queue/queue-metrics.ts';
import { VerifyAttestationTaskJob } from './jobs.ts';

export type AttestationWorkerMetrics = {
  /** A task run that ended (completed, failed, skipped) and how long it took. */
  observe(outcome: string, seconds: number): void;
  /** A run that threw (database, storage): it is retried. */
  jobFailed(): void;
};

/** `veridity_attestation_tasks_total{outcome}` and `veridity_attestation_task_seconds`, created once per registry. */
export function createAttestationWorkerMetrics(registry: client.Registry): AttestationWorkerMetrics {
  const tasks =
    (registry.getSingleMetric('veridity_attestation_tasks_total') as client.Counter<'outcome'> | undefined) ??
    new client.Counter({ name: 'veridity_attestation_tasks_total', help: 'Attestation task runs by outcome (completed, failed, skipped)', labelNames: ['outcome'] as const, registers: [registry] });
  const duration =
    (registry.getSingleMetric('veridity_attestation_task_seconds') as client.Histogram | undefined) ??
    new client.Histogram({
      name: 'veridity_attestation_task_seconds',
      help: 'Time from claiming an attestation task to its final commit (verification, result upload, signing)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  const failures = queueJobFailures(registry);
  return {
    observe(outcome, seconds) {
      tasks.inc({ outcome });
      duration.observe(seconds);
    },
    jobFailed: () => failures.inc({ queue: VerifyAttestationTaskJob.name }),
  };
}
