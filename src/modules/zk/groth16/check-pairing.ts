// The Groth16 equation e(A, B) = e(alpha, beta) * e(L, gamma) * e(C, delta), with
// L = IC[0] + sum(signal_i * IC[i + 1]), in the weighted form single and batch verification share:
//   prod_i e(w_i A_i, B_i) == e(alpha, beta) * e(sum_j s_j IC[j], gamma) * e(sum_i w_i C_i, delta)
// with weights w_i summing to 1 (a single proof: w = [1], s = [1, ...signals]; see verify-batch.ts).
import mcl, { type G1, type G2 } from 'mcl-wasm';
import { isInG2Subgroup, millerLoopVec, toMclFr, toMclG1, toMclG2 } from './mcl-bn254.ts';
import { G1_BYTES, g1Bytes, g2Bytes, PAIR_BYTES, scalarBytes } from './native-pairing.ts';
import type { MclKey, NativeKey, PreparedVerificationKey } from './prepare-verification-key.ts';
import { groth16Failure, type Groth16Result, type ParsedProof, type ParsedPublicSignals } from './types.ts';

/**
 * A proof ready for the equation, pi_b known to be in G2 (G1 has cofactor 1: on-curve suffices),
 * its points as the key's arithmetic takes them: bytes for the native one, else mcl points.
 */
export type LoadedProof = { readonly kind: 'native'; readonly a: Uint8Array; readonly b: Uint8Array; readonly c: Uint8Array } | { readonly kind: 'mcl'; readonly a: G1; readonly b: G2; readonly c: G1 };

/** Checks what parsing could not (signal count for this key, G2 subgroup) and loads the points. */
export function loadStatement(
  key: PreparedVerificationKey,
  proof: ParsedProof,
  publicSignals: ParsedPublicSignals,
): Groth16Result<LoadedProof> {
  if (publicSignals.length !== key.nPublic) {
    return groth16Failure('WRONG_SIGNAL_COUNT', `expected ${key.nPublic} public signals, got ${publicSignals.length}`);
  }
  const notInSubgroup = () => groth16Failure('POINT_NOT_IN_SUBGROUP', 'pi_b: not in the order-r subgroup of G2');
  if (key.kind === 'native') {
    const b = g2Bytes(proof.b);
    if (!key.pairing.inG2Subgroup(b)) return notInSubgroup();
    return { ok: true, value: { kind: 'native', a: g1Bytes([proof.a]), b, c: g1Bytes([proof.c]) } };
  }
  const b = toMclG2(proof.b);
  if (!isInG2Subgroup(b)) return notInSubgroup();
  return { ok: true, value: { kind: 'mcl', a: toMclG1(proof.a), b, c: toMclG1(proof.c) } };
}

/**
 * Whether the weighted equation above holds for `proofs` (all loaded under `key`) with `weights`
 * (one per proof, summing to 1 mod r) and `icScalars` (one per IC point, s_0 weighing IC[0]).
 */
export function weightedEquationHolds(key: PreparedVerificationKey, proofs: readonly LoadedProof[], weights: readonly bigint[], icScalars: readonly bigint[]): boolean {
  return key.kind === 'native'
    ? nativeEquationHolds(key, proofs as readonly Extract<LoadedProof, { kind: 'native' }>[], weights, icScalars)
    : mclEquationHolds(key, proofs as readonly Extract<LoadedProof, { kind: 'mcl' }>[], weights, icScalars);
}

/**
 * One product check over (w_i A_i, B_i), times the key's Miller loop of (-alpha, beta), with (L, -gamma)
 * and (C, -delta) as fixed pairs (the key's precomputed lines); its G1 points computed by the addon's
 * multi-scalar multiplication straight into the pairs.
 */
function nativeEquationHolds(key: NativeKey, proofs: readonly Extract<LoadedProof, { kind: 'native' }>[], weights: readonly bigint[], icScalars: readonly bigint[]): boolean {
  const { pairing } = key;
  const pairs = new Uint8Array(proofs.length * PAIR_BYTES);
  const cs = new Uint8Array(proofs.length * G1_BYTES);
  proofs.forEach((proof, i) => {
    const a = pairs.subarray(i * PAIR_BYTES, i * PAIR_BYTES + G1_BYTES);
    if (weights[i] === 1n) a.set(proof.a);
    else pairing.multiScalarMul(proof.a, scalarBytes([weights[i]!]), a);
    pairs.set(proof.b, i * PAIR_BYTES + G1_BYTES);
    cs.set(proof.c, i * G1_BYTES);
  });
  const fixedPoints = new Uint8Array(2 * G1_BYTES);
  pairing.multiScalarMul(key.ic, scalarBytes(icScalars), fixedPoints.subarray(0, G1_BYTES));
  pairing.multiScalarMul(cs, scalarBytes(weights), fixedPoints.subarray(G1_BYTES));
  return pairing.productIsOne(pairs, key.negAlphaBetaLoop, { points: fixedPoints, lines: key.negGammaDeltaLines });
}

/**
 * One multi-Miller loop over the (w_i A_i, B_i), one precomputed double loop for gamma and delta,
 * a single final exponentiation compared with the key's e(alpha, beta).
 */
function mclEquationHolds(key: MclKey, proofs: readonly Extract<LoadedProof, { kind: 'mcl' }>[], weights: readonly bigint[], icScalars: readonly bigint[]): boolean {
  const weightsFr = weights.map(toMclFr);
  const a = proofs.map(({ a }, i) => (weights[i] === 1n ? a : mcl.mul(a, weightsFr[i]!)));
  const l = mcl.mulVec([...key.ic], icScalars.map(toMclFr));
  const c = proofs.length === 1 && weights[0] === 1n ? proofs[0]!.c : mcl.mulVec(proofs.map((proof) => proof.c), weightsFr);
  const loops = mcl.mul(millerLoopVec(a, proofs.map(({ b }) => b)), mcl.precomputedMillerLoop2(mcl.neg(l), key.gamma, mcl.neg(c), key.delta));
  return mcl.finalExp(loops).isEqual(key.alphaBeta);
}

/** The equation for one proof: weight 1, the signals as IC's scalars. */
export function loadedProofHolds(key: PreparedVerificationKey, proof: LoadedProof, publicSignals: readonly bigint[]): boolean {
  return weightedEquationHolds(key, [proof], [1n], [1n, ...publicSignals]);
}
