import type { PoolClient } from '#platform/db/pool.ts';
import type { JobDefinition } from './job-definition.ts';
import type { Queue } from './queue.ts';

/** Puts jobs of one definition on the queue inside the caller's transaction (a transactional outbox). */
export type JobSender<T> = {
  /** Starts pg-boss (lazily, once) and creates the queue; call before opening the transaction. */
  ready(): Promise<void>;
  /** Enqueues on `tx`: a rollback leaves no job behind. Returns the job id. */
  enqueue(tx: PoolClient, data: T): Promise<string>;
};

export function createJobSender<T>(queue: () => Promise<Queue>, definition: JobDefinition<T>): JobSender<T> {
  let registered: Promise<Queue> | undefined;
  const ready = (): Promise<Queue> => {
    registered ??= queue().then(async (started) => {
      await started.register([definition as JobDefinition<unknown>]);
      return started;
    });
    registered.catch(() => (registered = undefined)); // a failed start is tried again by the next call
    return registered;
  };
  return {
    async ready() {
      await ready();
    },
    async enqueue(tx, data) {
      const jobId = await (await ready()).enqueue(definition, data, { client: tx });
      if (jobId === null) throw new Error(`pg-boss did not create a ${definition.name} job`);
      return jobId;
    },
  };
}
