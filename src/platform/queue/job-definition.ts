import type { z } from 'zod';

/**
 * A typed job: its queue name, payload schema and retry policy. Enqueuers need only this; the
 * handler is paired with it by a `JobBinding` (job-binding.ts), declared beside it in the module's `jobs.ts`.
 */
export type JobDefinition<T> = {
  name: string;
  schema: z.ZodType<T>;
  retryLimit: number;
  retryDelaySeconds: number;
  retryBackoff: boolean;
  /** A job active longer than this is considered lost (its worker died) and retried. */
  expireInSeconds: number;
  /** Jobs that exhaust their retries are copied here. */
  deadLetter: string | undefined;
};

export function defineJob<T>(definition: {
  name: string;
  schema: z.ZodType<T>;
  retryLimit?: number;
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  expireInSeconds?: number;
  deadLetter?: string;
}): JobDefinition<T> {
  return {
    retryLimit: 3,
    retryDelaySeconds: 5,
    retryBackoff: true,
    expireInSeconds: 300,
    deadLetter: undefined,
    ...definition,
  };
}
