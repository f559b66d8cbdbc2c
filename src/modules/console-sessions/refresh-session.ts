import type { Clock } from '#platform/clock.ts';
import { hashToken } from '#platform/crypto/tokens.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { checkSessionCredential, type CredentialChecks, type SessionActor } from './check-session-credential.ts';
import { revokeSession } from './revoke-session.ts';
import { SESSION_COLUMNS, storedOrigin, type RequestOrigin, type SessionRow } from './session-row.ts';
import { ACCESS_TTL_MS, REFRESH_TTL_MS, newCookieToken } from './session-tokens.ts';

export type RefreshFailure = 'UNKNOWN' | 'REVOKED' | 'EXPIRED' | 'REFRESH_TOKEN_REUSED' | 'CREDENTIAL_REVOKED';

export type RefreshResult =
  | { ok: true; row: SessionRow; actor: SessionActor; access: string; refresh: string }
  | { ok: false; reason: RefreshFailure; message: string };

/**
 * Exchanges a refresh token for a new access token and a new refresh token, both replacing the
 * old ones at once. A refresh token already exchanged is a copy someone kept: presenting it ends
 * the whole session (every token of it), whoever presents it. The refresh token's row and its
 * session are locked, so two exchanges of one token are one exchange and one reuse.
 */
export async function refreshSession(deps: { pool: Pool; clock: Clock } & CredentialChecks, refreshToken: string, origin: RequestOrigin): Promise<RefreshResult> {
  const presented = hashToken(refreshToken);
  return inTransaction(deps.pool, async (tx): Promise<RefreshResult> => {
    const { rows } = await tx.query<SessionRow & { rotatedAt: Date | null; revokedAt: Date | null }>(
      `SELECT ${SESSION_COLUMNS}, rt.rotated_at AS "rotatedAt", s.revoked_at AS "revokedAt"
         FROM console_refresh_tokens rt JOIN console_sessions s ON s.id = rt.session_id
        WHERE rt.token_hash = $1 FOR UPDATE`,
      [presented],
    );
    const found = rows[0];
    if (!found) return { ok: false, reason: 'UNKNOWN', message: 'no such refresh token: sign in' };
    const { rotatedAt, revokedAt, ...row } = found;
    if (revokedAt) return { ok: false, reason: 'REVOKED', message: 'the console session was signed out or revoked: sign in' };
    if (rotatedAt) {
      await revokeSession(deps, tx, row.id, 'refresh_token_reused');
      return { ok: false, reason: 'REFRESH_TOKEN_REUSED', message: 'this refresh token was used before: the session is revoked, sign in again' };
    }
    const now = deps.clock.now();
    if (row.refreshExpiresAt <= now) return { ok: false, reason: 'EXPIRED', message: 'the console session has expired: sign in' };
    const credential = await checkSessionCredential(deps, row);
    if (!credential.ok) {
      await revokeSession(deps, tx, row.id, 'credential_revoked');
      return { ok: false, reason: 'CREDENTIAL_REVOKED', message: credential.message };
    }
    const access = newCookieToken();
    const refresh = newCookieToken();
    const accessExpiresAt = new Date(now.getTime() + ACCESS_TTL_MS);
    const refreshExpiresAt = new Date(now.getTime() + REFRESH_TTL_MS);
    const { ip, userAgent } = storedOrigin(origin);
    await tx.query('UPDATE console_refresh_tokens SET rotated_at = $2 WHERE token_hash = $1', [presented, now]);
    await tx.query('INSERT INTO console_refresh_tokens (token_hash, session_id, issued_at) VALUES ($1, $2, $3)', [refresh.hash, row.id, now]);
    await tx.query(
      `UPDATE console_sessions SET access_hash = $2, access_expires_at = $3, refresh_expires_at = $4, last_used_at = $5, ip = $6, user_agent = $7 WHERE id = $1`,
      [row.id, access.hash, accessExpiresAt, refreshExpiresAt, now, ip, userAgent],
    );
    return {
      ok: true,
      row: { ...row, accessExpiresAt, refreshExpiresAt, lastUsedAt: now, ip, userAgent },
      actor: credential.actor,
      access: access.token,
      refresh: refresh.token,
    };
  });
}
