import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Clock } from '#platform/clock.ts';
import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import { authenticateApiKey, type ClientAuthDeps } from '#modules/clients/authenticate-api-key.ts';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  ACCESS_TOKEN_TYPE,
  OAUTH_KEY_PURPOSE,
  SIGNING_ALGORITHM,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
} from './token-profile.ts';

export type IssueAccessTokenDeps = ClientAuthDeps & { clock: Clock; platformKeys: PlatformKeys };

export type IssueAccessTokenInput = {
  clientId: string;
  /** The partner's API key. */
  clientSecret: string;
  /** Space-separated claim types; undefined grants every scope of the client. */
  scope: string | undefined;
};

/** RFC 6749 §5.1 success body. */
export type AccessTokenResponse = {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
};

export type IssueAccessTokenResult =
  | { ok: true; token: AccessTokenResponse; tokenId: string }
  | { ok: false; code: 'INVALID_CLIENT' | 'CLIENT_DISABLED'; message: string }
  | { ok: false; code: 'INVALID_SCOPE'; message: string; refusedScopes: string[] };

/** Requested scopes in request order, without repeats; undefined when none was asked for. */
function parseScope(scope: string | undefined): string[] | undefined {
  const scopes = [...new Set((scope ?? '').split(' ').filter(Boolean))];
  return scopes.length > 0 ? scopes : undefined;
}

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4): the client id and its API key buy a short-lived
 * EdDSA-signed JWT carrying the granted scopes, which may narrow the client's own, and the key's id
 * (`key_id`): the token works only while that key does.
 */
export async function issueAccessToken(deps: IssueAccessTokenDeps, input: IssueAccessTokenInput): Promise<IssueAccessTokenResult> {
  const authenticated = await authenticateApiKey(deps, input.clientSecret);
  if (!authenticated.ok) {
    return authenticated.code === 'CLIENT_DISABLED'
      ? { ok: false, code: 'CLIENT_DISABLED', message: 'client is disabled' }
      : { ok: false, code: 'INVALID_CLIENT', message: 'client authentication failed' };
  }
  const client = authenticated.client;
  // Client ids are public; only the secret needed a constant-time path (its hash lookup).
  if (client.id !== input.clientId) return { ok: false, code: 'INVALID_CLIENT', message: 'client authentication failed' };

  const requested = parseScope(input.scope);
  const refusedScopes = (requested ?? []).filter((scope) => !client.scopes.includes(scope));
  if (refusedScopes.length > 0) {
    return { ok: false, code: 'INVALID_SCOPE', message: `scope not granted to this client: ${refusedScopes.join(' ')}`, refusedScopes };
  }
  const granted = requested ?? client.scopes;

  const key = await deps.platformKeys.activeKey(OAUTH_KEY_PURPOSE);
  const issuedAt = Math.floor(deps.clock.now().getTime() / 1000);
  const tokenId = randomUUID();
  const scope = granted.join(' ');
  const accessToken = await new SignJWT({ scope, client_id: client.id, token_generation: client.tokenGeneration, key_id: authenticated.key.id })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid: key.id })
    .setIssuer(TOKEN_ISSUER)
    .setSubject(client.id)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ACCESS_TOKEN_TTL_SECONDS)
    .setJti(tokenId)
    .sign(key.privateKey);
  return {
    ok: true,
    token: { access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS, scope },
    tokenId,
  };
}
