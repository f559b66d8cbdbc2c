import { attributesFromJson, type Credential } from './credential-format.ts';
import { hashCredential } from './hash-credential.ts';
import { loadEddsa } from './load-eddsa.ts';

/**
 * Off-circuit check of the issuer signature (the same relation the circuit enforces),
 * so a holder can reject a bad credential before trying to prove with it. Expects a
 * credential that passed parseCredential.
 */
export async function verifyCredentialSignature(credential: Credential): Promise<boolean> {
  const eddsa = await loadEddsa();
  const message = await hashCredential(attributesFromJson(credential.attributes));
  const { F } = eddsa;
  return eddsa.verifyPoseidon(
    F.e(message),
    { R8: [F.e(credential.signature.R8x), F.e(credential.signature.R8y)], S: BigInt(credential.signature.S) },
    [F.e(credential.issuer.ax), F.e(credential.issuer.ay)],
  );
}
