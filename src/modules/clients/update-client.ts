import { eq } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { generateWebhookSecret } from '#modules/webhooks/delivery/sign-webhook.ts';
import { resetWebhookEndpoint } from '#modules/webhooks/reset-webhook-endpoint.ts';
import { webhookSecretContext } from './credentials.ts';
import { toApiClient, type ApiClient, type ApiClientUpdate } from './schema.ts';
import { apiClients } from './tables.ts';

export type UpdateClientResult =
  | { ok: true; client: ApiClient & { webhook_secret?: string } }
  | { ok: false; code: 'NOT_FOUND' };

/**
 * Changes name, scopes, webhook URL or rate limit. Setting a webhook URL on a client that had
 * none issues a secret (returned once); removing the URL deletes the secret; changing the URL
 * keeps the secret, so receivers need no new configuration. Setting a URL (even the same one)
 * re-enables an endpoint that was disabled by a 410 Gone.
 */
export async function updateClient(
  deps: { db: Db; clock: Clock; secretBox: SecretBox },
  id: string,
  input: ApiClientUpdate,
  actor: AuditActor,
): Promise<UpdateClientResult> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [current] = await tx.select().from(apiClients).where(eq(apiClients.id, id)).for('update');
    if (!current) return { ok: false, code: 'NOT_FOUND' } as const;

    let webhookSecret: string | undefined;
    const changes: Partial<typeof apiClients.$inferInsert> = { updatedAt: now };
    if (input.name !== undefined) changes.name = input.name;
    if (input.scopes !== undefined) changes.scopes = input.scopes;
    if (input.rate_limit_per_minute !== undefined) changes.rateLimitPerMinute = input.rate_limit_per_minute;
    if (input.webhook_url === null) {
      changes.webhookUrl = null;
      changes.webhookSecretSealed = null;
    } else if (input.webhook_url !== undefined) {
      changes.webhookUrl = input.webhook_url;
      if (!current.webhookSecretSealed) {
        webhookSecret = generateWebhookSecret();
        changes.webhookSecretSealed = deps.secretBox.encrypt(webhookSecret, webhookSecretContext(id));
      }
    }
    const [updated] = await tx.update(apiClients).set(changes).where(eq(apiClients.id, id)).returning();
    if (input.webhook_url !== undefined) await resetWebhookEndpoint(tx, id, { removed: input.webhook_url === null });
    await recordAudit(tx, actor, {
      action: 'client.updated',
      targetType: 'api_client',
      targetId: id,
      details: { changed: Object.keys(input), ...input },
    }, now);
    return { ok: true, client: { ...toApiClient(updated!), ...(webhookSecret ? { webhook_secret: webhookSecret } : {}) } } as const;
  });
}
