import { traced } from '#platform/telemetry/tracing.ts';
import type { ReceivedJob } from './job-binding.ts';

/** Runs a job's handler in a span continuing the trace that enqueued it (telemetry on). */
export function inJobSpan<T>(job: ReceivedJob<unknown>, handle: () => Promise<T>): Promise<T> {
  return traced(
    `process ${job.name}`,
    {
      kind: 'consumer',
      parent: job.traceContext,
      attributes: { 'messaging.system': 'pg-boss', 'messaging.operation.type': 'process', 'messaging.destination.name': job.name, 'messaging.message.id': job.id, 'veridity.job.retry_count': job.retryCount },
    },
    handle,
  );
}
