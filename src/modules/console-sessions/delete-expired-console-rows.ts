import type { Pool } from '#platform/db/pool.ts';

/** Ended sessions are kept this long (revoked or expired) before they go, with their refresh tokens. */
const ENDED_SESSION_KEEP_MS = 7 * 24 * 60 * 60 * 1000;
/** A replaced refresh token is kept, to recognise its reuse, until it would have expired anyway. */
const ROTATED_REFRESH_KEEP_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * What console sign-in no longer needs: expired wallet challenges (a late replay then finds no
 * nonce, which refuses it just as well), OIDC logins nobody finished, sessions ended a week ago,
 * and replaced refresh tokens older than a refresh token lives. Idempotent.
 */
export async function deleteExpiredConsoleRows(pool: Pool, now: Date): Promise<Record<string, number>> {
  const challenges = await pool.query('DELETE FROM console_wallet_challenges WHERE expires_at < $1', [now]);
  const logins = await pool.query('DELETE FROM console_oidc_logins WHERE expires_at < $1', [now]);
  const ended = new Date(now.getTime() - ENDED_SESSION_KEEP_MS);
  const sessions = await pool.query('DELETE FROM console_sessions WHERE revoked_at < $1 OR refresh_expires_at < $1', [ended]);
  const refreshTokens = await pool.query('DELETE FROM console_refresh_tokens WHERE rotated_at IS NOT NULL AND issued_at < $1', [new Date(now.getTime() - ROTATED_REFRESH_KEEP_MS)]);
  return { challenges: challenges.rowCount ?? 0, logins: logins.rowCount ?? 0, sessions: sessions.rowCount ?? 0, refresh_tokens: refreshTokens.rowCount ?? 0 };
}
