import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import type { WebhookEndpointState } from './schema.ts';

/** The partner's endpoint as deliveries see it: URL, disabled state, rotation window (all null without a URL). */
export async function getWebhookEndpoint(deps: { pool: Pool; clock: Clock }, clientId: string): Promise<WebhookEndpointState> {
  const { rows } = await deps.pool.query<{
    url: string;
    disabled_at: Date | null;
    disabled_reason: string | null;
    previous_secret_expires_at: Date | null;
  }>('SELECT url, disabled_at, disabled_reason, previous_secret_expires_at FROM webhook_endpoints WHERE client_id = $1', [clientId]);
  const row = rows[0];
  if (!row) return { url: null, disabled_at: null, disabled_reason: null, previous_secret_expires_at: null };
  const previous = row.previous_secret_expires_at;
  return {
    url: row.url,
    disabled_at: row.disabled_at?.toISOString() ?? null,
    disabled_reason: row.disabled_reason,
    previous_secret_expires_at: previous && previous > deps.clock.now() ? previous.toISOString() : null,
  };
}
