import { and, eq } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import type { Clock } from '#platform/clock.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { revokeApiKeySessions } from '#modules/console-sessions/revoke-api-key-sessions.ts';
import { apiKeyStatus, toApiKey, type ApiKey } from './api-key-schema.ts';
import { lockPartnerKeys } from './lock-partner-keys.ts';
import { apiKeys } from './tables.ts';

export type DisableApiKeyResult =
  | { ok: true; key: ApiKey }
  | { ok: false; code: 'NOT_FOUND' }
  | { ok: false; code: 'LAST_ACTIVE_KEY'; message: string };

/**
 * Disables one key of the partner for good (answered 401 from now on, as are the access tokens
 * issued with it), and ends the console sessions signed in with it. The partner's last active
 * key is not disabled: that would lock the partner out of the API with nothing to sign in with;
 * it creates or rotates to another first (the operator can still disable the whole partner).
 * Disabling a disabled key changes nothing.
 */
export async function disableApiKey(deps: { db: Db; clock: Clock }, clientId: string, keyId: string, actor: AuditActor): Promise<DisableApiKeyResult> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const { activeKeys } = await lockPartnerKeys(tx, clientId);
    const [key] = await tx.select().from(apiKeys).where(and(eq(apiKeys.id, keyId), eq(apiKeys.clientId, clientId)));
    if (!key) return { ok: false, code: 'NOT_FOUND' } as const;
    if (key.disabledAt) return { ok: true, key: toApiKey(key, now) } as const;
    if (apiKeyStatus(key, now) === 'active' && activeKeys <= 1) {
      return { ok: false, code: 'LAST_ACTIVE_KEY', message: 'this is your last active key: create another one (or rotate this one) before disabling it' } as const;
    }
    const [disabled] = await tx.update(apiKeys).set({ disabledAt: now }).where(eq(apiKeys.id, keyId)).returning();
    const sessionsRevoked = await revokeApiKeySessions(tx, [keyId], actor, now);
    await recordAudit(tx, actor, {
      action: 'api_key.disabled',
      targetType: 'api_key',
      targetId: keyId,
      details: { name: key.name, key_prefix: key.keyPrefix, console_sessions_revoked: sessionsRevoked.length },
    }, now);
    return { ok: true, key: toApiKey(disabled!, now) } as const;
  });
}
