import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { hashToken } from '#platform/crypto/tokens.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import type { CredentialChecks, SessionActor } from './check-session-credential.ts';
import { createSession, type NewSession, type SignedIn } from './create-session.ts';
import { auditSession, sessionAuditActor } from './session-audit.ts';
import type { RequestOrigin } from './session-row.ts';
import { consumeChallenge, verifyWalletSignIn, type WalletSignInFailure, type WalletSignInRequest } from './verify-wallet-sign-in.ts';
import { displayAddress } from './wallet-address.ts';

export type SignInRequest = { method: 'admin_token'; token: string } | { method: 'api_key'; api_key: string } | WalletSignInRequest;

export type SignInDeps = { pool: Pool; clock: Clock; secretBox: SecretBox; siweChainId: number } & CredentialChecks & {
  /** The id of this API key when it works (enabled, not expired, its partner enabled), else undefined. */
  authenticateApiKey(apiKey: string): Promise<string | undefined>;
};

export type SignInFailure = 'INVALID_CREDENTIALS' | 'PARTNER_DISABLED' | WalletSignInFailure;
export type SignInResult = { ok: true; session: NewSession; actor: SessionActor } | { ok: false; reason: SignInFailure; message: string };

/** Where a sign-in request came from: its Host (wallet messages name it), address, user agent and id. */
export type SignInContext = { domain: string; origin: RequestOrigin; requestId: string };

/** An admin token or an API key presented once, its session opened (the key itself is not kept). */
async function signInWithSecret(deps: SignInDeps, request: Exclude<SignInRequest, WalletSignInRequest>): Promise<{ ok: true; signedIn: SignedIn; actor: SessionActor } | { ok: false; reason: SignInFailure; message: string }> {
  if (request.method === 'admin_token') {
    const adminTokenHash = hashToken(request.token);
    const adminTokenId = await deps.identifyAdminToken(adminTokenHash);
    if (!adminTokenId) return { ok: false, reason: 'INVALID_CREDENTIALS', message: 'invalid admin token' };
    const identity = adminTokenId === 'env' ? 'VERIDITY_ADMIN_TOKEN' : `admin token ${adminTokenId}`;
    return { ok: true, signedIn: { role: 'operator', method: 'admin_token', adminTokenHash, identity }, actor: { role: 'operator', adminTokenId } };
  }
  const apiKeyId = await deps.authenticateApiKey(request.api_key);
  const client = apiKeyId && (await deps.findPartnerKey(apiKeyId));
  if (!client) return { ok: false, reason: 'INVALID_CREDENTIALS', message: 'invalid or disabled API key' };
  // The key's first characters, as the operator's client list shows them (key_prefix).
  const identity = `API key ${request.api_key.slice(0, 11)}`;
  return { ok: true, signedIn: { role: 'partner', clientId: client.id, method: 'api_key', tokenGeneration: client.tokenGeneration, apiKeyId, identity }, actor: { role: 'partner', client } };
}

/**
 * Signs in to the console with an admin token (operator), a partner's API key, or a wallet an
 * operator linked to a partner (Sign-In with Ethereum, or a Sui personal message, against a
 * challenge from this site). One transaction consumes the challenge, opens the session and audits it.
 */
export async function signIn(deps: SignInDeps, request: SignInRequest, context: SignInContext): Promise<SignInResult> {
  if (request.method === 'admin_token' || request.method === 'api_key') {
    const checked = await signInWithSecret(deps, request);
    if (!checked.ok) return checked;
    return inTransaction(deps.pool, async (tx) => {
      const session = await createSession(deps, tx, checked.signedIn, context.origin);
      await auditSession(tx, sessionAuditActor(session.row.id, checked.actor, { ip: context.origin.ip, requestId: context.requestId }), 'console_session.created', session.row.id, session.row.createdAt, { method: request.method });
      return { ok: true, session, actor: checked.actor };
    });
  }
  return inTransaction(deps.pool, async (tx): Promise<SignInResult> => {
    const verified = await verifyWalletSignIn(deps, tx, request, context.domain);
    if (!verified.ok) return verified;
    const { nonce, chain, address, walletId, clientId } = verified.value;
    const client = await deps.findPartner(clientId);
    if (!client) return { ok: false, reason: 'PARTNER_DISABLED', message: 'the partner this wallet is linked to is disabled' };
    if (!(await consumeChallenge(deps, tx, nonce))) return { ok: false, reason: 'NONCE_USED', message: 'this challenge was used already: ask for a new one' };
    const actor: SessionActor = { role: 'partner', client };
    const session = await createSession(deps, tx, { role: 'partner', clientId, method: request.method, walletId, identity: displayAddress(chain, address) }, context.origin);
    await auditSession(tx, sessionAuditActor(session.row.id, actor, { ip: context.origin.ip, requestId: context.requestId }), 'console_session.created', session.row.id, session.row.createdAt, { method: request.method, wallet_id: walletId });
    return { ok: true, session, actor };
  });
}
