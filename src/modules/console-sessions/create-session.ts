import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { newId } from '#platform/ids.ts';
import { ACCESS_TTL_MS, REFRESH_TTL_MS, newCookieToken } from './session-tokens.ts';
import { idpTokensContext, storedOrigin, type Queryable, type RequestOrigin, type SessionRow } from './session-row.ts';

/** The identity provider's tokens of an OIDC sign-in: kept sealed, never sent to the browser. */
export type IdpTokens = { id_token: string | undefined; access_token: string; refresh_token: string | undefined; token_type: string; expires_at: string | null; scope: string | undefined };

/** Who signed in, and with what: the part each later use of the session checks again. */
export type SignedIn = { identity: string } & (
  | { role: 'operator'; method: 'admin_token'; adminTokenHash: Buffer }
  | { role: 'operator'; method: 'oidc'; oidc: { issuer: string; subject: string; tokens: IdpTokens } }
  | { role: 'partner'; clientId: string; method: 'api_key'; tokenGeneration: number; apiKeyId: string }
  | { role: 'partner'; clientId: string; method: 'siwe' | 'sui'; walletId: string }
  | { role: 'partner'; clientId: string; method: 'oidc'; oidcUserId: string; oidc: { issuer: string; subject: string; tokens: IdpTokens } }
);

export type NewSession = { row: SessionRow; access: string; refresh: string };

/** Opens a session for what signed in: its row and first refresh token, and the two cookie values (only their hashes are stored). */
export async function createSession(deps: { clock: Clock; secretBox: SecretBox }, db: Queryable, signedIn: SignedIn, origin: RequestOrigin): Promise<NewSession> {
  const id = newId('ses');
  const now = deps.clock.now();
  const access = newCookieToken();
  const refresh = newCookieToken();
  const oidc = signedIn.method === 'oidc' ? signedIn.oidc : undefined;
  const row: SessionRow = {
    id,
    role: signedIn.role,
    clientId: signedIn.role === 'partner' ? signedIn.clientId : null,
    method: signedIn.method,
    identity: signedIn.identity.slice(0, 400),
    adminTokenHash: signedIn.method === 'admin_token' ? signedIn.adminTokenHash : null,
    clientTokenGeneration: signedIn.method === 'api_key' ? signedIn.tokenGeneration : null,
    apiKeyId: signedIn.method === 'api_key' ? signedIn.apiKeyId : null,
    accessExpiresAt: new Date(now.getTime() + ACCESS_TTL_MS),
    refreshExpiresAt: new Date(now.getTime() + REFRESH_TTL_MS),
    createdAt: now,
    lastUsedAt: now,
    ...storedOrigin(origin),
  };
  await db.query(
    `INSERT INTO console_sessions (id, role, client_id, method, identity, admin_token_hash, client_token_generation, api_key_id, wallet_id,
       oidc_user_id, oidc_issuer, oidc_subject, idp_tokens_sealed, access_hash, access_expires_at, refresh_expires_at, created_at, last_used_at, user_agent, ip)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18, $19)`,
    [
      id, row.role, row.clientId, row.method, row.identity, row.adminTokenHash, row.clientTokenGeneration, row.apiKeyId,
      signedIn.method === 'siwe' || signedIn.method === 'sui' ? signedIn.walletId : null,
      signedIn.role === 'partner' && signedIn.method === 'oidc' ? signedIn.oidcUserId : null,
      oidc?.issuer ?? null, oidc?.subject ?? null,
      oidc ? deps.secretBox.encrypt(JSON.stringify(oidc.tokens), idpTokensContext(id)) : null,
      access.hash, row.accessExpiresAt, row.refreshExpiresAt, now, row.userAgent, row.ip,
    ],
  );
  await db.query('INSERT INTO console_refresh_tokens (token_hash, session_id, issued_at) VALUES ($1, $2, $3)', [refresh.hash, id, now]);
  return { row, access: access.token, refresh: refresh.token };
}
