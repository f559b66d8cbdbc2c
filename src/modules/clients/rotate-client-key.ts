import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import type { Clock } from '#platform/clock.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { revokeApiKeySessions } from '#modules/console-sessions/revoke-api-key-sessions.ts';
import { findWebhookUrl } from '#modules/webhooks/find-webhook-urls.ts';
import { insertApiKey } from './insert-api-key.ts';
import { toApiClient, type ApiClient } from './schema.ts';
import { apiClients, apiKeys } from './tables.ts';

export type RotateKeyResult = { ok: true; client: ApiClient & { api_key: string } } | { ok: false; code: 'NOT_FOUND' };

/**
 * The operator's rotation, for a leaked or lost key: every key of the partner still enabled
 * (expiring ones too) is disabled and one new key replaces them all; the access tokens bought with
 * them stop authenticating at once, and the console sessions signed in with them end. A partner
 * rotates one key, with a grace period, itself (POST /api/v1/keys/:id/rotate).
 */
export async function rotateClientKey(deps: { db: Db; clock: Clock }, id: string, actor: AuditActor): Promise<RotateKeyResult> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(apiClients)
      .set({ tokenGeneration: sql`${apiClients.tokenGeneration} + 1`, updatedAt: now })
      .where(eq(apiClients.id, id))
      .returning();
    if (!updated) return { ok: false, code: 'NOT_FOUND' } as const;
    const disabled = await tx
      .update(apiKeys)
      .set({ disabledAt: now })
      .where(and(eq(apiKeys.clientId, id), isNull(apiKeys.disabledAt)))
      .returning({ id: apiKeys.id });
    const disabledKeyIds = disabled.map((row) => row.id);
    const sessionsRevoked = await revokeApiKeySessions(tx, disabledKeyIds, actor, now);
    const key = await insertApiKey(tx, id, 'Issued by the operator', now);
    await recordAudit(tx, actor, {
      action: 'client.key_rotated',
      targetType: 'api_client',
      targetId: id,
      details: { key_id: key.row.id, key_prefix: key.row.keyPrefix, disabled_key_ids: disabledKeyIds, console_sessions_revoked: sessionsRevoked.length },
    }, now);
    return { ok: true, client: { ...toApiClient(updated, await findWebhookUrl(tx, id), key.row.keyPrefix), api_key: key.apiKey } } as const;
  });
}
