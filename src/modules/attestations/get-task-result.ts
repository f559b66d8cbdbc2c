import type { Db } from '#platform/db/database.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { getTask } from './get-task.ts';

export type TaskResultDocument =
  | { ok: true; document: Buffer }
  | { ok: false; code: 'NOT_FOUND' | 'NOT_FINISHED' | 'MISSING_FROM_STORAGE'; message: string };

/** GET /api/v1/tasks/{id}/result: the full result document the worker stored (the partner's own tasks only). */
export async function getTaskResult(deps: { db: Db; storage: ObjectStorage }, clientId: string, id: string): Promise<TaskResultDocument> {
  const task = await getTask(deps, clientId, id);
  if (!task) return { ok: false, code: 'NOT_FOUND', message: `no task ${id}` };
  if (!task.s3Key) return { ok: false, code: 'NOT_FINISHED', message: `task ${id} is ${task.status}: it has no result document` };
  const document = await deps.storage.get(task.s3Key);
  if (!document) return { ok: false, code: 'MISSING_FROM_STORAGE', message: `the result document of task ${id} is missing from object storage` };
  return { ok: true, document };
}
