import { sql } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import { recordAudits, type AuditActor } from '#modules/audit/record-audit.ts';

/**
 * Ends the live console sessions signed in with these API keys, in the caller's transaction (the
 * one disabling the keys), each with an audit row naming its key; answers their ids.
 * Sessions of the partner's other keys, wallets and OIDC identities are not touched.
 */
export async function revokeApiKeySessions(tx: Db, keyIds: readonly string[], actor: AuditActor, at: Date): Promise<string[]> {
  if (keyIds.length === 0) return [];
  const { rows } = await tx.execute<{ id: string; api_key_id: string }>(sql`
    UPDATE console_sessions SET revoked_at = ${at}, revoked_reason = 'api_key_disabled'
     WHERE api_key_id = ANY(${sql.param([...keyIds])}::text[]) AND revoked_at IS NULL
    RETURNING id, api_key_id`);
  await recordAudits(tx, rows.map((row) => ({
    actor,
    entry: { action: 'console_session.revoked', targetType: 'console_session', targetId: row.id, details: { reason: 'api_key_disabled', api_key_id: row.api_key_id } },
    at,
  })));
  return rows.map((row) => row.id);
}
