import * as oidc from 'openid-client';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import type { Pool } from '#platform/db/pool.ts';
import type { IdentityProvider, OidcFailure } from './identity-provider.ts';
import { newCookieToken } from './session-tokens.ts';

/** How long the person has at the identity provider before the sign-in is forgotten. */
export const OIDC_LOGIN_TTL_MS = 10 * 60 * 1000;

/** The associated data a login's PKCE verifier is sealed with: the login it belongs to. */
export function oidcLoginContext(browserHash: string): string {
  return `console_oidc_logins.code_verifier:${browserHash}`;
}

export type OidcStart = { ok: true; redirectTo: string; browserToken: string } | { ok: false; reason: Extract<OidcFailure, 'PROVIDER_UNAVAILABLE'>; message: string };

/**
 * Starts an authorization code flow with PKCE: state, nonce and the verifier stay here (the
 * verifier sealed), under the hash of a fresh cookie value the browser keeps until the callback;
 * the answer is the provider's authorization URL to send the browser to.
 */
export async function startOidcSignIn(deps: { pool: Pool; clock: Clock; secretBox: SecretBox; provider: IdentityProvider }, returnTo: string | undefined): Promise<OidcStart> {
  const configuration = await deps.provider.configuration();
  if (!configuration) return { ok: false, reason: 'PROVIDER_UNAVAILABLE', message: 'the OpenID provider cannot be reached: try again later' };
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const browser = newCookieToken();
  const browserHash = browser.hash.toString('hex');
  const now = deps.clock.now();
  await deps.pool.query(
    `INSERT INTO console_oidc_logins (browser_hash, state, nonce, code_verifier_sealed, return_to, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [browserHash, state, nonce, deps.secretBox.encrypt(verifier, oidcLoginContext(browserHash)), returnTo ?? null, now, new Date(now.getTime() + OIDC_LOGIN_TTL_MS)],
  );
  const url = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: deps.provider.settings.redirectUrl,
    scope: deps.provider.settings.scopes,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { ok: true, redirectTo: url.href, browserToken: browser.token };
}
