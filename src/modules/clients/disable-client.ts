import { eq, sql } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import type { Clock } from '#platform/clock.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { findWebhookUrl } from '#modules/webhooks/find-webhook-urls.ts';
import { toApiClient, type ApiClient } from './schema.ts';
import { apiClients } from './tables.ts';
import { findKeyPrefix } from './find-key-prefixes.ts';

export type DisableClientResult = { ok: true; client: ApiClient } | { ok: false; code: 'NOT_FOUND' };

/**
 * Disabling keeps the row (proofs and audit refer to it) and makes its key fail with 401. It also
 * revokes its access tokens for good, not only while the client stays disabled. Idempotent.
 */
export async function disableClient(deps: { db: Db; clock: Clock }, id: string, actor: AuditActor): Promise<DisableClientResult> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(apiClients)
      .set({
        disabledAt: sql`coalesce(${apiClients.disabledAt}, ${now.toISOString()}::timestamptz)`,
        tokenGeneration: sql`${apiClients.tokenGeneration} + 1`,
        updatedAt: now,
      })
      .where(eq(apiClients.id, id))
      .returning();
    if (!updated) return { ok: false, code: 'NOT_FOUND' } as const;
    await recordAudit(tx, actor, { action: 'client.disabled', targetType: 'api_client', targetId: id }, now);
    return { ok: true, client: toApiClient(updated, await findWebhookUrl(tx, id), await findKeyPrefix(tx, id)) } as const;
  });
}
