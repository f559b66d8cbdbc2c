import { createHmac, randomBytes } from 'node:crypto';
import { hashToken } from '#platform/crypto/tokens.ts';

/** How long the session cookie (access) and the refresh cookie are good for. */
export const ACCESS_TTL_MS = 15 * 60 * 1000;
export const REFRESH_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** A cookie value: 256 random bits, of which only the SHA-256 is stored. */
export function newCookieToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

/**
 * The CSRF token of a session cookie, derived from it (nothing stored): the page reads it from the
 * session's JSON and echoes it in X-CSRF-Token, which a cross-site page cannot. It changes with the
 * cookie at each refresh.
 */
export function csrfTokenOf(accessToken: string): string {
  return createHmac('sha256', accessToken).update('veridity console csrf').digest('base64url');
}
