import { loadedProofHolds, loadStatement } from './check-pairing.ts';
import type { PreparedVerificationKey } from './prepare-verification-key.ts';
import type { ParsedProof, ParsedPublicSignals, VerifyResult } from './types.ts';

/** Verifies one proof in this thread under a key prepared in it. */
export function verifyPrepared(
  key: PreparedVerificationKey,
  proof: ParsedProof,
  publicSignals: ParsedPublicSignals,
): VerifyResult {
  const loaded = loadStatement(key, proof, publicSignals);
  if (!loaded.ok) return loaded;
  return { ok: true, valid: loadedProofHolds(key, loaded.value, publicSignals) };
}
