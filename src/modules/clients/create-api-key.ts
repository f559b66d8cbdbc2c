import type { Db } from '#platform/db/database.ts';
import type { Clock } from '#platform/clock.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { toApiKey, type ApiKey } from './api-key-schema.ts';
import { insertApiKey } from './insert-api-key.ts';
import { lockPartnerKeys } from './lock-partner-keys.ts';

/** Enough for one key per system and environment; keeps a leaked partner session from minting keys without end. */
export const MAX_ACTIVE_KEYS = 20;

export type CreateApiKeyResult = { ok: true; key: ApiKey & { api_key: string } } | { ok: false; code: 'TOO_MANY_KEYS'; message: string };

/** A new key of the partner, with its scopes and limits (they are the partner's): the key is in this answer only. */
export async function createApiKey(deps: { db: Db; clock: Clock }, clientId: string, name: string, actor: AuditActor): Promise<CreateApiKeyResult> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const { activeKeys } = await lockPartnerKeys(tx, clientId);
    if (activeKeys >= MAX_ACTIVE_KEYS) {
      return { ok: false, code: 'TOO_MANY_KEYS', message: `at most ${MAX_ACTIVE_KEYS} active keys: disable one first` } as const;
    }
    const { row, apiKey } = await insertApiKey(tx, clientId, name, now);
    await recordAudit(tx, actor, { action: 'api_key.created', targetType: 'api_key', targetId: row.id, details: { name, key_prefix: row.keyPrefix } }, now);
    return { ok: true, key: { ...toApiKey(row, now), api_key: apiKey } } as const;
  });
}
