import type { Clock } from '#platform/clock.ts';
import type { AuditActor } from '#modules/audit/record-audit.ts';
import { findClientName } from '#modules/clients/find-client-name.ts';
import { recordAudit } from '#modules/audit/record-audit.ts';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { PoolClient } from '#platform/db/pool.ts';
import type { Queryable } from './session-row.ts';

/** Most wallets, and most OIDC identities, one partner may have linked. */
export const LINKS_PER_PARTNER = 100;

/** What links a partner to a way of signing in: a wallet or an OIDC identity, each ending its sessions when removed. */
export const SIGN_IN_LINKS = {
  wallet: { table: 'console_wallets', sessionColumn: 'wallet_id', revokedReason: 'wallet_unlinked', target: 'console_wallet' },
  oidcUser: { table: 'console_oidc_users', sessionColumn: 'oidc_user_id', revokedReason: 'oidc_user_unlinked', target: 'console_oidc_user' },
} as const;
export type SignInLinkKind = keyof typeof SIGN_IN_LINKS;

export type LinkRefusal = { ok: false; code: 'NOT_FOUND' | 'CONFLICT'; message: string };

/** Whether the partner exists and has room for another link of this kind. */
export async function checkLinkable(db: Queryable, kind: SignInLinkKind, clientId: string): Promise<LinkRefusal | undefined> {
  if ((await findClientName(db, clientId)) === undefined) return { ok: false, code: 'NOT_FOUND', message: `no client ${clientId}` };
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${SIGN_IN_LINKS[kind].table} WHERE client_id = $1`, [clientId]);
  if (rows[0]!.n >= LINKS_PER_PARTNER) return { ok: false, code: 'CONFLICT', message: `a partner may have at most ${LINKS_PER_PARTNER} of these: remove one first` };
  return undefined;
}

export async function auditLink(tx: PoolClient, actor: AuditActor, kind: SignInLinkKind, action: 'linked' | 'unlinked', linkId: string, at: Date, details: Record<string, unknown>): Promise<void> {
  await recordAudit(drizzle({ client: tx }), actor, { action: `${SIGN_IN_LINKS[kind].target}.${action}`, targetType: SIGN_IN_LINKS[kind].target, targetId: linkId, details }, at);
}

/** Removes a partner's link and revokes every session it signed in, in the caller's transaction; false when the partner has no such link. */
export async function unlinkSignIn(deps: { clock: Clock }, tx: PoolClient, kind: SignInLinkKind, clientId: string, linkId: string, actor: AuditActor): Promise<{ ok: true; sessionsRevoked: number } | { ok: false }> {
  const link = SIGN_IN_LINKS[kind];
  const now = deps.clock.now();
  const owned = await tx.query(`SELECT 1 FROM ${link.table} WHERE id = $1 AND client_id = $2 FOR UPDATE`, [linkId, clientId]);
  if (owned.rowCount === 0) return { ok: false };
  const revoked = await tx.query(
    `UPDATE console_sessions SET revoked_at = $2, revoked_reason = $3 WHERE ${link.sessionColumn} = $1 AND revoked_at IS NULL`,
    [linkId, now, link.revokedReason],
  );
  await tx.query(`DELETE FROM ${link.table} WHERE id = $1`, [linkId]);
  const sessionsRevoked = revoked.rowCount ?? 0;
  await auditLink(tx, actor, kind, 'unlinked', linkId, now, { client_id: clientId, sessions_revoked: sessionsRevoked });
  return { ok: true, sessionsRevoked };
}
