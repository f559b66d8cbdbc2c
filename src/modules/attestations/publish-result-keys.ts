import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import { publishSigningKeys, type SigningJwks } from '#platform/crypto/publish-signing-keys.ts';
import { ATTESTATION_RESULT_KEY_PURPOSE } from './sign-attestation-result.ts';

export type ResultJwks = SigningJwks;

/** The keys attestation results are verified with: the active one and every retired one, since a signed result stays meaningful long after it was issued. */
export async function publishResultKeys(deps: { platformKeys: PlatformKeys }): Promise<ResultJwks> {
  return publishSigningKeys(deps.platformKeys, ATTESTATION_RESULT_KEY_PURPOSE);
}
