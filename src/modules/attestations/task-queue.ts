import type { PoolClient } from '#platform/db/pool.ts';
import type { Queue } from '#platform/queue/queue.ts';
import { VerifyAttestationTaskJob } from './jobs.ts';

/** Puts a task's job on the queue, inside the transaction that writes the task. */
export type TaskQueue = {
  /** Starts pg-boss (lazily, once) and creates the queue; call before opening the transaction. */
  ready(): Promise<void>;
  /** Enqueues on `tx`: a rollback leaves no job behind. Returns the job id. */
  enqueue(tx: PoolClient, taskId: string): Promise<string>;
};

export function createTaskQueue(queue: () => Promise<Queue>): TaskQueue {
  let registered: Promise<Queue> | undefined;
  const ready = (): Promise<Queue> => {
    registered ??= queue().then(async (started) => {
      await started.register([VerifyAttestationTaskJob]);
      return started;
    });
    registered.catch(() => (registered = undefined)); // a failed start is tried again by the next call
    return registered;
  };
  return {
    async ready() {
      await ready();
    },
    async enqueue(tx, taskId) {
      const started = await ready();
      const jobId = await started.enqueue(VerifyAttestationTaskJob, { task_id: taskId }, { client: tx });
      if (jobId === null) throw new Error(`pg-boss did not create a job for task ${taskId}`);
      return jobId;
    },
  };
}
