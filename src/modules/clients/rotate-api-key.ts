import { and, eq } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import type { Clock } from '#platform/clock.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { apiKeyStatus, toApiKey, type ApiKey } from './api-key-schema.ts';
import { insertApiKey } from './insert-api-key.ts';
import { lockPartnerKeys } from './lock-partner-keys.ts';
import { apiKeys } from './tables.ts';

export type RotateApiKeyResult =
  | { ok: true; key: ApiKey & { api_key: string; replaced_key: ApiKey } }
  | { ok: false; code: 'NOT_FOUND' }
  | { ok: false; code: 'NOT_ACTIVE'; message: string };

/**
 * Replaces an active key of the partner by a new one of the same name (shown once); the old key
 * keeps working for `graceSeconds` (0: it stops at once), so the systems holding it can switch
 * without an outage. A key already replaced or disabled is not rotated again: rotate its replacement.
 */
export async function rotateApiKey(deps: { db: Db; clock: Clock }, clientId: string, keyId: string, graceSeconds: number, actor: AuditActor): Promise<RotateApiKeyResult> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    await lockPartnerKeys(tx, clientId);
    const [old] = await tx.select().from(apiKeys).where(and(eq(apiKeys.id, keyId), eq(apiKeys.clientId, clientId)));
    if (!old) return { ok: false, code: 'NOT_FOUND' } as const;
    const status = apiKeyStatus(old, now);
    if (status !== 'active') return { ok: false, code: 'NOT_ACTIVE', message: `key ${keyId} is ${status}: only an active key is rotated` } as const;
    const expiresAt = new Date(now.getTime() + graceSeconds * 1000);
    const [replaced] = await tx.update(apiKeys).set({ expiresAt }).where(eq(apiKeys.id, keyId)).returning();
    const { row, apiKey } = await insertApiKey(tx, clientId, old.name, now);
    await recordAudit(tx, actor, {
      action: 'api_key.rotated',
      targetType: 'api_key',
      targetId: keyId,
      details: { replaced_by: row.id, key_prefix: row.keyPrefix, grace_period_seconds: graceSeconds, expires_at: expiresAt.toISOString() },
    }, now);
    return { ok: true, key: { ...toApiKey(row, now), api_key: apiKey, replaced_key: toApiKey(replaced!, now) } } as const;
  });
}
