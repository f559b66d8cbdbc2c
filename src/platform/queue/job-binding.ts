import type { TraceContext } from '#platform/telemetry/tracing.ts';
import type { JobDefinition } from './job-definition.ts';

/** Which job, to mark it done or failed. */
export type JobRef = { name: string; id: string };

/** A job as its handler receives it: the payload already checked against the definition's schema. */
export type ReceivedJob<T> = JobRef & {
  data: T;
  /** Runs before this one (0 on the first). */
  retryCount: number;
  retryLimit: number;
  /** The trace of the code that enqueued it, when telemetry was on there. */
  traceContext?: TraceContext;
};

export type JobHandler<T, Deps, Result> = (deps: Deps, job: ReceivedJob<T>) => Promise<Result>;

/**
 * A job definition paired with its handler, declared once in the module's `jobs.ts`. The handler
 * is imported on first use: code that only enqueues loads no worker code, and the handler's file
 * may import the definition without an import cycle.
 */
export type JobBinding<T, Deps, Result> = {
  job: JobDefinition<T>;
  handler(): Promise<JobHandler<T, Deps, Result>>;
};

/** Pairs a definition with its handler; the types tie the handler to the definition's payload. */
export function bindJob<T, Deps, Result>(job: JobDefinition<T>, handler: () => Promise<JobHandler<T, Deps, Result>>): JobBinding<T, Deps, Result> {
  return { job, handler };
}
