import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import type { Ed25519PublicJwk } from '#platform/crypto/platform-keys.ts';
import { ATTESTATION_RESULT_KEY_PURPOSE } from './sign-attestation-result.ts';

export type ResultJwks = { keys: Array<Ed25519PublicJwk & { kid: string; alg: 'EdDSA'; use: 'sig' }> };

/**
 * The keys attestation results are verified with: the active one (created if none exists yet)
 * and every retired one, since a signed result stays meaningful long after it was issued.
 */
export async function publishResultKeys(deps: { platformKeys: PlatformKeys }): Promise<ResultJwks> {
  await deps.platformKeys.activeKey(ATTESTATION_RESULT_KEY_PURPOSE);
  const keys = await deps.platformKeys.publishedKeys(ATTESTATION_RESULT_KEY_PURPOSE, new Date(0));
  return { keys: keys.map((key) => ({ ...key.publicJwk, kid: key.id, alg: 'EdDSA' as const, use: 'sig' as const })) };
}
