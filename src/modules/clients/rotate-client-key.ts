import { eq, sql } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import type { Clock } from '#platform/clock.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { findWebhookUrl } from '#modules/webhooks/find-webhook-urls.ts';
import { issueApiKey } from './credentials.ts';
import { toApiClient, type ApiClient } from './schema.ts';
import { apiClients } from './tables.ts';

export type RotateKeyResult = { ok: true; client: ApiClient & { api_key: string } } | { ok: false; code: 'NOT_FOUND' };

/** Replaces the API key; the old key and the access tokens bought with it stop authenticating at once. */
export async function rotateClientKey(deps: { db: Db; clock: Clock }, id: string, actor: AuditActor): Promise<RotateKeyResult> {
  const now = deps.clock.now();
  const key = issueApiKey();
  return deps.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(apiClients)
      .set({ keyHash: key.keyHash, keyPrefix: key.keyPrefix, tokenGeneration: sql`${apiClients.tokenGeneration} + 1`, updatedAt: now })
      .where(eq(apiClients.id, id))
      .returning();
    if (!updated) return { ok: false, code: 'NOT_FOUND' } as const;
    await recordAudit(tx, actor, { action: 'client.key_rotated', targetType: 'api_client', targetId: id, details: { key_prefix: key.keyPrefix } }, now);
    return { ok: true, client: { ...toApiClient(updated, await findWebhookUrl(tx, id)), api_key: key.apiKey } } as const;
  });
}
