import type { PoolClient } from '#platform/db/pool.ts';

export type WebhookEndpoint = { url: string; secretSealed: string };

/** The partner's webhook endpoint, if any, read on the caller's connection (inside its transaction). */
export async function findWebhookEndpoint(client: PoolClient, clientId: string): Promise<WebhookEndpoint | undefined> {
  const { rows } = await client.query<{ webhook_url: string | null; webhook_secret_sealed: string | null }>(
    'SELECT webhook_url, webhook_secret_sealed FROM api_clients WHERE id = $1 AND disabled_at IS NULL',
    [clientId],
  );
  const row = rows[0];
  return row?.webhook_url && row.webhook_secret_sealed ? { url: row.webhook_url, secretSealed: row.webhook_secret_sealed } : undefined;
}
