import { validateAttributes, type AttributeErrorCode, type CredentialAttributes } from './attributes.ts';
import { attributesToJson, type Credential } from './credential-format.ts';
import { deriveIssuerPublicKey, privateKeyBytes } from './generate-issuer-key.ts';
import { hashCredential } from './hash-credential.ts';
import { loadEddsa } from './load-eddsa.ts';
import type { Result } from './result.ts';

/**
 * Issues a credential: EdDSA-Poseidon (deterministic) over hashCredential(attributes).
 * Attributes outside the circuits' range checks are refused, because no proof could be
 * made from them.
 */
export async function signCredential(
  privateKeyHex: string,
  attributes: CredentialAttributes,
): Promise<Result<Credential, AttributeErrorCode>> {
  const valid = validateAttributes(attributes);
  if (!valid.ok) return valid;
  const eddsa = await loadEddsa();
  const message = await hashCredential(attributes);
  const { R8, S } = eddsa.signPoseidon(privateKeyBytes(privateKeyHex), eddsa.F.e(message));
  return {
    ok: true,
    value: {
      version: 1,
      attributes: attributesToJson(attributes),
      issuer: await deriveIssuerPublicKey(privateKeyHex),
      signature: { R8x: eddsa.F.toObject(R8[0]).toString(), R8y: eddsa.F.toObject(R8[1]).toString(), S: S.toString() },
    },
  };
}
