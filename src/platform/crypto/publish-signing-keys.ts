import type { Ed25519PublicJwk, KeyPurpose, PlatformKeys } from './platform-keys.ts';

export type SigningJwks = { keys: Array<Ed25519PublicJwk & { kid: string; alg: 'EdDSA'; use: 'sig' }> };

/**
 * The JWK Set of a purpose's Ed25519 keys: the active one (created if none exists yet, so a set
 * fetched before the first signature is not empty) and every retired one, for what stays
 * meaningful long after it was signed.
 */
export async function publishSigningKeys(platformKeys: PlatformKeys, purpose: KeyPurpose): Promise<SigningJwks> {
  await platformKeys.activeKey(purpose);
  const keys = await platformKeys.publishedKeys(purpose, new Date(0));
  return { keys: keys.map((key) => ({ ...key.publicJwk, kid: key.id, alg: 'EdDSA' as const, use: 'sig' as const })) };
}
