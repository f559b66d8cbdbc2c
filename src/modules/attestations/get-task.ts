import { and, eq } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import type { Task } from './schema.ts';
import { attestationTasks } from './tables.ts';
import { toTask } from './to-task.ts';

/** One of the partner's tasks; another partner's task is as absent as an unknown id. */
export async function getTask(deps: { db: Db }, clientId: string, id: string): Promise<Task | undefined> {
  const [row] = await deps.db
    .select()
    .from(attestationTasks)
    .where(and(eq(attestationTasks.id, id), eq(attestationTasks.clientId, clientId)));
  return row ? toTask(row) : undefined;
}
