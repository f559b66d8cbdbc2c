import type { PoolClient } from '#platform/db/pool.ts';

export type Queryable = Pick<PoolClient, 'query'>;

export const SIGN_IN_METHODS = ['admin_token', 'api_key', 'siwe', 'sui', 'oidc'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];
export type ConsoleRole = 'operator' | 'partner';

/** Why a session ended (console_sessions.revoked_reason). */
export type RevokedReason = 'signed_out' | 'revoked' | 'refresh_token_reused' | 'credential_revoked' | 'wallet_unlinked' | 'oidc_user_unlinked' | 'api_key_disabled';

/** A stored session, as the use cases read it. */
export type SessionRow = {
  id: string;
  role: ConsoleRole;
  clientId: string | null;
  method: SignInMethod;
  identity: string;
  adminTokenHash: Buffer | null;
  clientTokenGeneration: number | null;
  /** The API key an `api_key` session signed in with (migration 0036); null for other methods. */
  apiKeyId: string | null;
  accessExpiresAt: Date;
  refreshExpiresAt: Date;
  createdAt: Date;
  lastUsedAt: Date;
  userAgent: string | null;
  ip: string | null;
};

export const SESSION_COLUMNS = `s.id, s.role, s.client_id AS "clientId", s.method, s.identity, s.admin_token_hash AS "adminTokenHash",
  s.client_token_generation AS "clientTokenGeneration", s.api_key_id AS "apiKeyId", s.access_expires_at AS "accessExpiresAt", s.refresh_expires_at AS "refreshExpiresAt",
  s.created_at AS "createdAt", s.last_used_at AS "lastUsedAt", s.user_agent AS "userAgent", s.ip`;

/** Where a request came from, kept with its session for the session lists. */
export type RequestOrigin = { ip: string; userAgent: string | null };

/** As the columns hold it (bounded). */
export function storedOrigin(origin: RequestOrigin): { ip: string; userAgent: string | null } {
  return { ip: origin.ip.slice(0, 100), userAgent: origin.userAgent?.slice(0, 500) ?? null };
}

/** The associated data the identity provider's tokens are sealed with: the session they belong to. */
export function idpTokensContext(sessionId: string): string {
  return `console_sessions.idp_tokens:${sessionId}`;
}
