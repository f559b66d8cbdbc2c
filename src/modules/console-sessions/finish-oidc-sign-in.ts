import * as oidc from 'openid-client';
import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { hashToken } from '#platform/crypto/tokens.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import type { CredentialChecks, SessionActor } from './check-session-credential.ts';
import { createSession, type IdpTokens, type NewSession, type SignedIn } from './create-session.ts';
import { findOidcUser } from './find-oidc-user.ts';
import type { IdentityProvider, OidcFailure } from './identity-provider.ts';
import { claimValues, OPERATOR_ROLE } from './oidc-role.ts';
import { auditSession, sessionAuditActor } from './session-audit.ts';
import type { RequestOrigin } from './session-row.ts';
import { oidcLoginContext } from './start-oidc-sign-in.ts';

export type OidcFinish = { ok: true; session: NewSession; actor: SessionActor; returnTo: string | null } | { ok: false; reason: OidcFailure; message: string };

export type OidcFinishDeps = { pool: Pool; clock: Clock; secretBox: SecretBox; log: Logger; provider: IdentityProvider } & Pick<CredentialChecks, 'findPartner'>;

type Login = { state: string; nonce: string; codeVerifierSealed: string; returnTo: string | null; expiresAt: Date };

const fail = (reason: OidcFailure, message: string): OidcFinish => ({ ok: false, reason, message });

/** The login this browser started (its cookie), read once: a callback can complete one login, once. */
async function takeLogin(deps: OidcFinishDeps, browserToken: string): Promise<(Login & { browserHash: string }) | undefined> {
  const browserHash = hashToken(browserToken).toString('hex');
  const { rows } = await deps.pool.query<Login>(
    `DELETE FROM console_oidc_logins WHERE browser_hash = $1
     RETURNING state, nonce, code_verifier_sealed AS "codeVerifierSealed", return_to AS "returnTo", expires_at AS "expiresAt"`,
    [browserHash],
  );
  const login = rows[0];
  return login && login.expiresAt > deps.clock.now() ? { ...login, browserHash } : undefined;
}

/** ID token claims over userinfo's (the provider may release the role claim to either); userinfo is checked to be the same subject. */
async function claimsOf(deps: OidcFinishDeps, configuration: oidc.Configuration, tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): Promise<Record<string, unknown>> {
  const idToken = tokens.claims()!;
  if (!configuration.serverMetadata().userinfo_endpoint) return idToken;
  try {
    return { ...(await oidc.fetchUserInfo(configuration, tokens.access_token, idToken.sub)), ...idToken };
  } catch (error) {
    deps.log.warn({ err: error }, 'OIDC userinfo failed: signing in with the ID token claims alone');
    return idToken;
  }
}

/** Who the claims make: an operator by the role claim, else the partner an operator linked this identity to. */
async function signedInAs(deps: OidcFinishDeps, claims: Record<string, unknown>, oidcIdentity: { issuer: string; subject: string; tokens: IdpTokens }): Promise<{ ok: true; signedIn: SignedIn; actor: SessionActor } | { ok: false; reason: OidcFailure; message: string }> {
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  const identity = email ?? (typeof claims.preferred_username === 'string' ? claims.preferred_username : oidcIdentity.subject);
  if (claimValues(claims, deps.provider.settings.roleClaim).includes(OPERATOR_ROLE)) {
    return { ok: true, signedIn: { role: 'operator', method: 'oidc', oidc: oidcIdentity, identity }, actor: { role: 'operator', adminTokenId: undefined } };
  }
  const link = await findOidcUser(deps.pool, deps.provider.settings.issuer, oidcIdentity.subject, claims.email_verified === true ? email : undefined);
  if (!link) return { ok: false, reason: 'NO_ROLE', message: `the identity is neither an operator (claim ${deps.provider.settings.roleClaim}) nor linked to a partner` };
  const client = await deps.findPartner(link.clientId);
  if (!client) return { ok: false, reason: 'PARTNER_DISABLED', message: 'the partner this identity is linked to is disabled' };
  return { ok: true, signedIn: { role: 'partner', clientId: client.id, method: 'oidc', oidcUserId: link.id, oidc: oidcIdentity, identity }, actor: { role: 'partner', client } };
}

/**
 * The provider's redirect back: the login this browser started (state, nonce and PKCE verifier
 * checked by openid-client), the code exchanged, the ID token verified, the role read, the session
 * opened with the provider's tokens sealed in it. `callbackQuery`: the query string as received.
 */
export async function finishOidcSignIn(deps: OidcFinishDeps, browserToken: string | undefined, callbackQuery: string, context: { origin: RequestOrigin; requestId: string }): Promise<OidcFinish> {
  const login = browserToken ? await takeLogin(deps, browserToken) : undefined;
  if (!login) return fail('LOGIN_UNKNOWN', 'no sign-in in progress in this browser (or it took longer than 10 minutes): start again');
  const params = new URLSearchParams(callbackQuery);
  const refusal = params.get('error');
  if (refusal !== null) return fail('PROVIDER_REFUSED', `the OpenID provider answered ${refusal.slice(0, 100)}`);
  const configuration = await deps.provider.configuration();
  if (!configuration) return fail('PROVIDER_UNAVAILABLE', 'the OpenID provider cannot be reached: try again later');
  const callbackUrl = new URL(deps.provider.settings.redirectUrl);
  callbackUrl.search = callbackQuery;
  let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  try {
    tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
      pkceCodeVerifier: deps.secretBox.decrypt(login.codeVerifierSealed, oidcLoginContext(login.browserHash)).toString(),
      expectedState: login.state,
      expectedNonce: login.nonce,
      idTokenExpected: true,
    });
  } catch (error) {
    deps.log.warn({ err: error }, 'OIDC authorization code exchange failed');
    return fail('TOKEN_EXCHANGE_FAILED', 'the sign-in could not be completed with the OpenID provider');
  }
  const claims = await claimsOf(deps, configuration, tokens);
  const expiresIn = tokens.expiresIn();
  const idpTokens: IdpTokens = {
    id_token: tokens.id_token,
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    token_type: tokens.token_type,
    expires_at: expiresIn === undefined ? null : new Date(deps.clock.now().getTime() + expiresIn * 1000).toISOString(),
    scope: tokens.scope,
  };
  const decided = await signedInAs(deps, claims, { issuer: String(claims.iss), subject: String(claims.sub), tokens: idpTokens });
  if (!decided.ok) return decided;
  return inTransaction(deps.pool, async (tx) => {
    const session = await createSession(deps, tx, decided.signedIn, context.origin);
    await auditSession(tx, sessionAuditActor(session.row.id, decided.actor, { ip: context.origin.ip, requestId: context.requestId }), 'console_session.created', session.row.id, session.row.createdAt, { method: 'oidc' });
    return { ok: true, session, actor: decided.actor, returnTo: login.returnTo };
  });
}
