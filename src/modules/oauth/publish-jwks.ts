import type { Clock } from '#platform/clock.ts';
import type { Ed25519PublicJwk, PlatformKeys } from '#platform/crypto/platform-keys.ts';
import { ACCESS_TOKEN_TTL_SECONDS, OAUTH_KEY_PURPOSE, SIGNING_ALGORITHM } from './token-profile.ts';

export type PublishedJwk = Ed25519PublicJwk & { kid: string; alg: typeof SIGNING_ALGORITHM; use: 'sig' };
export type Jwks = { keys: PublishedJwk[] };

/**
 * The JWK Set partners verify access tokens with: the active OAuth key (created if there is none
 * yet, so a set fetched before the first token is not empty) and keys retired less than a token
 * lifetime ago, whose tokens may still be valid.
 */
export async function publishJwks(deps: { platformKeys: PlatformKeys; clock: Clock }): Promise<Jwks> {
  await deps.platformKeys.activeKey(OAUTH_KEY_PURPOSE);
  const retiredSince = new Date(deps.clock.now().getTime() - ACCESS_TOKEN_TTL_SECONDS * 1000);
  const keys = await deps.platformKeys.publishedKeys(OAUTH_KEY_PURPOSE, retiredSince);
  return { keys: keys.map((key) => ({ ...key.publicJwk, kid: key.id, alg: SIGNING_ALGORITHM, use: 'sig' })) };
}
