import type { Db } from '#platform/db/database.ts';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { newId } from '#platform/ids.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { generateWebhookSecret } from '#modules/webhooks/delivery/sign-webhook.ts';
import { issueApiKey, webhookSecretContext } from './credentials.ts';
import { toApiClient, type ApiClient, type ApiClientCreate } from './schema.ts';
import { apiClients } from './tables.ts';

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
  const key = issueApiKey();
  const webhookSecret = input.webhook_url ? generateWebhookSecret() : undefined;
  const row = await deps.db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(apiClients)
      .values({
        id,
        name: input.name,
        keyHash: key.keyHash,
        keyPrefix: key.keyPrefix,
        scopes: input.scopes,
        webhookUrl: input.webhook_url ?? null,
        webhookSecretSealed: webhookSecret ? deps.secretBox.encrypt(webhookSecret, webhookSecretContext(id)) : null,
        rateLimitPerMinute: input.rate_limit_per_minute ?? DEFAULT_RATE_LIMIT_PER_MINUTE,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await recordAudit(tx, actor, {
      action: 'client.created',
      targetType: 'api_client',
      targetId: id,
      details: { name: input.name, scopes: input.scopes, webhook_url: input.webhook_url ?? null },
    }, now);
    return inserted!;
  });
  return { ...toApiClient(row), api_key: key.apiKey, ...(webhookSecret ? { webhook_secret: webhookSecret } : {}) };
}
