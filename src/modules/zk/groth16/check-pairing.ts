// The Groth16 equation e(A, B) = e(alpha, beta) * e(L, gamma) * e(C, delta), with
// L = IC[0] + sum(signal_i * IC[i + 1]), shared by single and batch verification.
import mcl, { type G1, type G2 } from 'mcl-wasm';
import { isInG2Subgroup, millerLoopVec, toMclFr, toMclG1, toMclG2, writeAffine } from './mcl-bn254.ts';
import { g2Bytes, PAIR_BYTES } from './native-pairing.ts';
import type { PreparedVerificationKey } from './prepare-verification-key.ts';
import { groth16Failure, type Groth16Result, type ParsedProof, type ParsedPublicSignals } from './types.ts';

/**
 * A proof ready for the pairing check, pi_b known to be in G2 (G1 has cofactor 1: on-curve
 * suffices). pi_b as the key's pairing takes it: its bytes for the native one, else an mcl point.
 */
export type LoadedProof = { readonly a: G1; readonly b: G2 | Uint8Array; readonly c: G1 };

/** Checks what parsing could not (signal count for this key, G2 subgroup) and loads the points. */
export function loadStatement(
  key: PreparedVerificationKey,
  proof: ParsedProof,
  publicSignals: ParsedPublicSignals,
): Groth16Result<LoadedProof> {
  if (publicSignals.length !== key.nPublic) {
    return groth16Failure('WRONG_SIGNAL_COUNT', `expected ${key.nPublic} public signals, got ${publicSignals.length}`);
  }
  const b = key.native ? g2Bytes(proof.b) : toMclG2(proof.b);
  const inSubgroup = b instanceof Uint8Array ? key.native!.pairing.inG2Subgroup(b) : isInG2Subgroup(b);
  if (!inSubgroup) return groth16Failure('POINT_NOT_IN_SUBGROUP', 'pi_b: not in the order-r subgroup of G2');
  return { ok: true, value: { a: toMclG1(proof.a), b, c: toMclG1(proof.c) } };
}

/** sum(scalars[i] * key.ic[i]); scalars[0] weighs IC[0]. */
export function combineIc(key: PreparedVerificationKey, scalars: readonly bigint[]): G1 {
  return mcl.mulVec([...key.ic], scalars.map(toMclFr));
}

/**
 * prod_i e(a[i], b[i]) == e(alpha, beta) * e(l, gamma) * e(c, delta) (batches weight the a-terms
 * to a total weight of 1). Natively: one product check over the (a, b) pairs, (-l, gamma),
 * (-c, delta) and (-alpha, beta). With mcl: one multi-Miller loop over the (a, b) pairs, one
 * precomputed double loop for gamma and delta, and a single final exponentiation.
 */
export function pairingEquationHolds(key: PreparedVerificationKey, a: readonly G1[], b: ReadonlyArray<LoadedProof['b']>, l: G1, c: G1): boolean {
  if (key.native) {
    const { pairing, negAlphaBeta, gamma, delta } = key.native;
    const pairs = new Uint8Array((a.length + 3) * PAIR_BYTES);
    a.forEach((point, i) => {
      writeAffine(point, pairs, i * PAIR_BYTES);
      pairs.set(b[i] as Uint8Array, i * PAIR_BYTES + 64);
    });
    const fixed = a.length * PAIR_BYTES;
    writeAffine(mcl.neg(l), pairs, fixed);
    pairs.set(gamma, fixed + 64);
    writeAffine(mcl.neg(c), pairs, fixed + PAIR_BYTES);
    pairs.set(delta, fixed + PAIR_BYTES + 64);
    pairs.set(negAlphaBeta, fixed + 2 * PAIR_BYTES);
    return pairing.productIsOne(pairs);
  }
  const loops = mcl.mul(millerLoopVec(a, b as readonly G2[]), mcl.precomputedMillerLoop2(mcl.neg(l), key.gamma, mcl.neg(c), key.delta));
  return mcl.finalExp(loops).isEqual(key.alphaBeta);
}

export function loadedProofHolds(key: PreparedVerificationKey, proof: LoadedProof, publicSignals: readonly bigint[]): boolean {
  const l = combineIc(key, [1n, ...publicSignals]);
  return pairingEquationHolds(key, [proof.a], [proof.b], l, proof.c);
}
