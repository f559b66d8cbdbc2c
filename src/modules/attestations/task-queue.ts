import type { PoolClient } from '#platform/db/pool.ts';
import { createJobSender } from '#platform/queue/job-sender.ts';
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
  const sender = createJobSender(queue, VerifyAttestationTaskJob);
  return { ready: () => sender.ready(), enqueue: (tx, taskId) => sender.enqueue(tx, { task_id: taskId }) };
}
