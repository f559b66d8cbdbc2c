import { eq } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { configureWebhookEndpoint } from '#modules/webhooks/configure-webhook-endpoint.ts';
import { findWebhookUrl } from '#modules/webhooks/find-webhook-urls.ts';
import { removeWebhookEndpoint } from '#modules/webhooks/remove-webhook-endpoint.ts';
import { toApiClient, type ApiClient, type ApiClientUpdate } from './schema.ts';
import { apiClients } from './tables.ts';
import { findKeyPrefix } from './find-key-prefixes.ts';

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
    const changes: Partial<typeof apiClients.$inferInsert> = { updatedAt: now };
    if (input.name !== undefined) changes.name = input.name;
    if (input.scopes !== undefined) changes.scopes = input.scopes;
    if (input.rate_limit_per_minute !== undefined) changes.rateLimitPerMinute = input.rate_limit_per_minute;
    // The update locks the client's row first, which the webhook endpoint's change relies on.
    const [updated] = await tx.update(apiClients).set(changes).where(eq(apiClients.id, id)).returning();
    if (!updated) return { ok: false, code: 'NOT_FOUND' } as const;

    let webhookSecret: string | undefined;
    if (input.webhook_url === null) await removeWebhookEndpoint(tx, id);
    else if (input.webhook_url !== undefined) webhookSecret = await configureWebhookEndpoint({ db: tx, secretBox: deps.secretBox }, id, input.webhook_url);
    await recordAudit(tx, actor, {
      action: 'client.updated',
      targetType: 'api_client',
      targetId: id,
      details: { changed: Object.keys(input), ...input },
    }, now);
    const client = toApiClient(updated, await findWebhookUrl(tx, id), await findKeyPrefix(tx, id));
    return { ok: true, client: { ...client, ...(webhookSecret ? { webhook_secret: webhookSecret } : {}) } } as const;
  });
}
