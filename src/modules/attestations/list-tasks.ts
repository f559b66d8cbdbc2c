import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import type { Task, TaskStatus } from './schema.ts';
import { attestationTasks } from './tables.ts';
import { toTask } from './to-task.ts';

export type TaskFilter = { status?: TaskStatus | undefined; appId?: string | undefined; from?: Date | undefined; to?: Date | undefined };
export type TaskPage = { data: Task[]; nextCursor: string | null };

/** The partner's tasks, newest first; `cursor` is the last id of the previous page (ids sort by creation time). */
export async function listTasks(deps: { db: Db }, clientId: string, filter: TaskFilter, page: { limit: number; cursor?: string | undefined }): Promise<TaskPage> {
  const t = attestationTasks;
  const conditions: SQL[] = [eq(t.clientId, clientId)];
  if (filter.status) conditions.push(eq(t.status, filter.status));
  if (filter.appId) conditions.push(eq(t.appId, filter.appId));
  if (filter.from) conditions.push(gte(t.createdAt, filter.from));
  if (filter.to) conditions.push(lt(t.createdAt, filter.to));
  if (page.cursor) conditions.push(lt(t.id, page.cursor));
  const rows = await deps.db
    .select()
    .from(t)
    .where(and(...conditions))
    .orderBy(desc(t.id))
    .limit(page.limit + 1);
  const shown = rows.slice(0, page.limit);
  return { data: shown.map(toTask), nextCursor: rows.length > page.limit ? shown.at(-1)!.id : null };
}
