import { asc, eq } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import { findWebhookUrl, findWebhookUrls } from '#modules/webhooks/find-webhook-urls.ts';
import { toApiClient, type ApiClient } from './schema.ts';
import { apiClients } from './tables.ts';
import { findKeyPrefix, findKeyPrefixes } from './find-key-prefixes.ts';

export async function listClients(deps: { db: Db }): Promise<ApiClient[]> {
  const rows = await deps.db.select().from(apiClients).orderBy(asc(apiClients.createdAt), asc(apiClients.id));
  const ids = rows.map((row) => row.id);
  const [webhookUrls, keyPrefixes] = await Promise.all([findWebhookUrls(deps.db, ids), findKeyPrefixes(deps.db, ids)]);
  return rows.map((row) => toApiClient(row, webhookUrls.get(row.id) ?? null, keyPrefixes.get(row.id) ?? ''));
}

export async function getClient(deps: { db: Db }, id: string): Promise<ApiClient | undefined> {
  const [row] = await deps.db.select().from(apiClients).where(eq(apiClients.id, id));
  return row ? toApiClient(row, await findWebhookUrl(deps.db, id), await findKeyPrefix(deps.db, id)) : undefined;
}
