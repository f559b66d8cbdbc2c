import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from '#platform/clock.ts';
import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import { authenticateApiKeyById, type ClientAuthView, type ClientAuthDeps } from '#modules/clients/authenticate-api-key.ts';
import { ACCESS_TOKEN_TYPE, OAUTH_KEY_PURPOSE, SIGNING_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER } from './token-profile.ts';

export type VerifyAccessTokenDeps = ClientAuthDeps & { clock: Clock; platformKeys: PlatformKeys };

export type AccessTokenFailure =
  | 'MALFORMED'
  | 'UNKNOWN_KEY'
  | 'SIGNATURE_INVALID'
  | 'EXPIRED'
  | 'CLAIMS_INVALID'
  | 'UNKNOWN_CLIENT'
  | 'CLIENT_DISABLED'
  | 'KEY_DISABLED'
  | 'KEY_EXPIRED'
  | 'TOKEN_REVOKED';

export type VerifyAccessTokenResult =
  | {
      ok: true;
      clientId: string;
      /** The token's scopes that the client still holds (an operator may have removed some since). */
      scopes: string[];
      /** The client as partner auth finds it, its scopes narrowed to the token's. */
      client: ClientAuthView;
      tokenId: string;
      expiresAt: Date;
    }
  | AccessTokenRejection;

export type AccessTokenRejection = { ok: false; code: AccessTokenFailure; message: string };

/** Key ids are RFC 7638 thumbprints: anything else is refused without a database round trip. */
const KEY_ID = /^[A-Za-z0-9_-]{43}$/;

function failure(code: AccessTokenFailure, message: string): AccessTokenRejection {
  return { ok: false, code, message };
}

function joseFailure(error: unknown): AccessTokenRejection {
  if (error instanceof errors.JWTExpired) return failure('EXPIRED', 'access token expired');
  if (error instanceof errors.JWSSignatureVerificationFailed) return failure('SIGNATURE_INVALID', 'access token signature invalid');
  if (error instanceof errors.JWTClaimValidationFailed) return failure('CLAIMS_INVALID', `access token ${error.message}`);
  if (error instanceof errors.JOSEError) return failure('MALFORMED', `access token malformed: ${error.message}`);
  throw error;
}

async function verifySignedToken(deps: VerifyAccessTokenDeps, token: string): Promise<{ ok: true; payload: JWTPayload } | AccessTokenRejection> {
  let kid: string | undefined;
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg !== SIGNING_ALGORITHM) return failure('MALFORMED', `access token algorithm must be ${SIGNING_ALGORITHM}`);
    kid = header.kid;
  } catch {
    return failure('MALFORMED', 'access token is not a JWT');
  }
  const key = kid && KEY_ID.test(kid) ? await deps.platformKeys.keyById(OAUTH_KEY_PURPOSE, kid) : undefined;
  if (!key) return failure('UNKNOWN_KEY', 'access token signed by an unknown key');
  try {
    const { payload } = await jwtVerify(token, key.publicKey, {
      algorithms: [SIGNING_ALGORITHM],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      typ: ACCESS_TOKEN_TYPE,
      currentDate: deps.clock.now(),
      requiredClaims: ['sub', 'exp', 'iat', 'jti', 'scope', 'client_id', 'token_generation', 'key_id'],
    });
    return { ok: true, payload };
  } catch (error) {
    return joseFailure(error);
  }
}

/**
 * Checks an access token issued by `/oauth/token`: signature by a platform OAuth key (by `kid`),
 * `typ`, `iss`, `aud` and `exp` against the clock passed in, and that the API key it was issued with
 * still works (not disabled, its rotation's grace not over, its client enabled: one cached lookup)
 * and the client has the token's generation. Disabling the key, or the end of its grace period,
 * stops its tokens at once; the operator's rotation and disabling a client stop all of the client's.
 */
export async function verifyAccessToken(deps: VerifyAccessTokenDeps, token: string): Promise<VerifyAccessTokenResult> {
  const verified = await verifySignedToken(deps, token);
  if (!verified.ok) return verified;
  const { sub, scope, client_id: clientIdClaim, jti, exp, token_generation: generation, key_id: keyId } = verified.payload;
  if (
    typeof sub !== 'string' || typeof scope !== 'string' || clientIdClaim !== sub || typeof jti !== 'string' || exp === undefined ||
    typeof generation !== 'number' || typeof keyId !== 'string'
  ) {
    return failure('CLAIMS_INVALID', 'access token claims are inconsistent');
  }

  const found = await authenticateApiKeyById(deps, keyId);
  if (!found.ok) {
    if (found.code === 'CLIENT_DISABLED') return failure('CLIENT_DISABLED', 'client is disabled');
    if (found.code === 'KEY_DISABLED') return failure('KEY_DISABLED', 'access token revoked: the API key it was issued with is disabled');
    if (found.code === 'EXPIRED') return failure('KEY_EXPIRED', 'access token revoked: the API key it was issued with has expired (it was replaced by a rotation)');
    return failure('UNKNOWN_CLIENT', 'access token names an unknown API key');
  }
  if (found.client.id !== sub) return failure('CLAIMS_INVALID', 'access token claims are inconsistent');
  if (generation !== found.client.tokenGeneration) return failure('TOKEN_REVOKED', 'access token revoked (client key rotated or client disabled)');

  const tokenScopes = scope.split(' ').filter(Boolean);
  const scopes = tokenScopes.filter((s) => found.client.scopes.includes(s));
  const client = found.client;
  return { ok: true, clientId: client.id, scopes, client: { ...client, scopes }, tokenId: jti, expiresAt: new Date(exp * 1000) };
}
