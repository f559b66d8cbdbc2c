import { eq, inArray } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import { webhookEndpoints } from './tables.ts';

/** The webhook URL of each of these partners that has one. */
export async function findWebhookUrls(db: Db, clientIds: string[]): Promise<Map<string, string>> {
  if (clientIds.length === 0) return new Map();
  const rows = await db.select({ clientId: webhookEndpoints.clientId, url: webhookEndpoints.url }).from(webhookEndpoints).where(inArray(webhookEndpoints.clientId, clientIds));
  return new Map(rows.map((row) => [row.clientId, row.url]));
}

/** The partner's webhook URL, or null without one. */
export async function findWebhookUrl(db: Db, clientId: string): Promise<string | null> {
  const [row] = await db.select({ url: webhookEndpoints.url }).from(webhookEndpoints).where(eq(webhookEndpoints.clientId, clientId));
  return row?.url ?? null;
}
