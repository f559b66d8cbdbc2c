import { sql } from 'drizzle-orm';
import type { Db } from '#platform/db/database.ts';
import type { Clock } from '#platform/clock.ts';
import { generateToken, hashToken } from '#platform/crypto/tokens.ts';
import { newId } from '#platform/ids.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { adminTokens } from './tables.ts';

export const ADMIN_TOKEN_PREFIX = 'vat';

/** Issues an operator token; only its SHA-256 is stored, so the returned token is the only copy. */
export async function createAdminToken(deps: { db: Db; clock: Clock }, label: string, actor: AuditActor): Promise<{ id: string; token: string }> {
  const token = generateToken(ADMIN_TOKEN_PREFIX);
  const id = newId('adm');
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx.insert(adminTokens).values({ id, tokenHash: hashToken(token), label, createdAt: now });
    await recordAudit(tx, actor, { action: 'admin_token.created', targetType: 'admin_token', targetId: id, details: { label } }, now);
  });
  return { id, token };
}

/**
 * First start without VERIDITY_ADMIN_TOKEN: create a bootstrap token unless one exists.
 * The transaction-scoped advisory lock makes two replicas starting together create one token.
 */
export async function bootstrapAdminToken(deps: { db: Db; clock: Clock }): Promise<{ token: string } | undefined> {
  return deps.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(7246831002)`);
    const existing = await tx.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM admin_tokens WHERE revoked_at IS NULL`);
    if ((existing.rows[0]?.n ?? 0) > 0) return undefined;
    const { token } = await createAdminToken({ db: tx, clock: deps.clock }, 'bootstrap', { type: 'system', id: null, ip: null, requestId: null });
    return { token };
  });
}
