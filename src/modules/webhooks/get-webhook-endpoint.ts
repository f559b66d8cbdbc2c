import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import type { WebhookEndpointState } from './schema.ts';

/** The partner's endpoint as deliveries see it: URL, disabled state, rotation window. */
export async function getWebhookEndpoint(deps: { pool: Pool; clock: Clock }, clientId: string): Promise<WebhookEndpointState | undefined> {
  const { rows } = await deps.pool.query<{
    webhook_url: string | null;
    webhook_disabled_at: Date | null;
    webhook_disabled_reason: string | null;
    webhook_secret_previous_expires_at: Date | null;
  }>('SELECT webhook_url, webhook_disabled_at, webhook_disabled_reason, webhook_secret_previous_expires_at FROM api_clients WHERE id = $1', [clientId]);
  const row = rows[0];
  if (!row) return undefined;
  const previous = row.webhook_secret_previous_expires_at;
  return {
    url: row.webhook_url,
    disabled_at: row.webhook_disabled_at?.toISOString() ?? null,
    disabled_reason: row.webhook_disabled_reason,
    previous_secret_expires_at: previous && previous > deps.clock.now() ? previous.toISOString() : null,
  };
}
