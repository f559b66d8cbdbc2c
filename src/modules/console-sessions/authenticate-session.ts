import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { hashToken } from '#platform/crypto/tokens.ts';
import { checkSessionCredential, type CredentialChecks, type SessionActor } from './check-session-credential.ts';
import { revokeSession } from './revoke-session.ts';
import { SESSION_COLUMNS, type SessionRow } from './session-row.ts';

export type SessionAuthentication = { ok: true; row: SessionRow; actor: SessionActor } | { ok: false; message: string };

/** last_used_at is written at most this often per session: no write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * The live session a `veridity_session` cookie value names: not revoked, its access not expired,
 * its sign-in still standing (a session whose credential fell is revoked on the spot).
 */
export async function authenticateSession(deps: { pool: Pool; clock: Clock } & CredentialChecks, accessToken: string): Promise<SessionAuthentication> {
  const { rows } = await deps.pool.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM console_sessions s WHERE s.access_hash = $1 AND s.revoked_at IS NULL`, [hashToken(accessToken)]);
  const row = rows[0];
  if (!row) return { ok: false, message: 'no console session: sign in (or it was signed out, revoked or refreshed)' };
  const now = deps.clock.now();
  if (row.accessExpiresAt <= now) return { ok: false, message: 'the console session has expired: refresh it (POST /api/console/session/refresh)' };
  const credential = await checkSessionCredential(deps, row);
  if (!credential.ok) {
    await revokeSession(deps, deps.pool, row.id, 'credential_revoked');
    return credential;
  }
  if (now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await deps.pool.query('UPDATE console_sessions SET last_used_at = $2 WHERE id = $1 AND last_used_at < $2', [row.id, now]);
  }
  return { ok: true, row, actor: credential.actor };
}
