import { asc, eq } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import { toApiClient, type ApiClient } from './schema.ts';
import { apiClients } from './tables.ts';

export async function listClients(deps: { db: Db }): Promise<ApiClient[]> {
  const rows = await deps.db.select().from(apiClients).orderBy(asc(apiClients.createdAt), asc(apiClients.id));
  return rows.map(toApiClient);
}

export async function getClient(deps: { db: Db }, id: string): Promise<ApiClient | undefined> {
  const [row] = await deps.db.select().from(apiClients).where(eq(apiClients.id, id));
  return row ? toApiClient(row) : undefined;
}
