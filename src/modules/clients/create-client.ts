import type { Db } from '#platform/db/database.ts';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { newId } from '#platform/ids.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { configureWebhookEndpoint } from '#modules/webhooks/configure-webhook-endpoint.ts';
import { insertApiKey } from './insert-api-key.ts';
import { toApiClient, type ApiClient, type ApiClientCreate } from './schema.ts';
import { apiClients } from './tables.ts';

/** The rate limit of a client with neither a limit of its own nor a plan. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 120;

export type CreatedClient = ApiClient & { api_key: string; webhook_secret?: string };

/** Creates a partner. The API key (and webhook secret) are returned here once and never again. */
export async function createClient(
  deps: { db: Db; clock: Clock; secretBox: SecretBox },
  input: ApiClientCreate,
  actor: AuditActor,
): Promise<CreatedClient> {
  const id = newId('cli');
  const now = deps.clock.now();
  const { row, webhookSecret, key } = await deps.db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(apiClients)
      .values({
        id,
        name: input.name,
        scopes: input.scopes,
        rateLimitPerMinute: input.rate_limit_per_minute ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    // The partner's first key; more are made with POST /api/v1/keys.
    const key = await insertApiKey(tx, id, 'Default', now);
    const webhookSecret = input.webhook_url ? await configureWebhookEndpoint({ db: tx, secretBox: deps.secretBox }, id, input.webhook_url) : undefined;
    await recordAudit(tx, actor, {
      action: 'client.created',
      targetType: 'api_client',
      targetId: id,
      details: { name: input.name, scopes: input.scopes, webhook_url: input.webhook_url ?? null },
    }, now);
    return { row: inserted!, webhookSecret, key };
  });
  return { ...toApiClient(row, input.webhook_url ?? null, key.row.keyPrefix), api_key: key.apiKey, ...(webhookSecret ? { webhook_secret: webhookSecret } : {}) };
}
