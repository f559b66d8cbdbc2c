// The Groth16 equation e(A, B) = e(alpha, beta) * e(L, gamma) * e(C, delta), with
// L = IC[0] + sum(signal_i * IC[i + 1]), in the weighted form single and batch verification share:
//   prod_i e(w_i A_i, B_i) == e(alpha, beta)^(sum_i w_i) * e(sum_j s_j IC[j], gamma) * e(sum_i w_i C_i, delta)
// (a single proof: w = [1], s = [1, ...signals]; see verify-batch.ts).
import mcl, { type G1, type G2, type GT } from 'mcl-wasm';
import { SCALAR_FIELD_ORDER } from './bn254.ts';
import { isInG2Subgroup, millerLoopVec, toMclFr, toMclG1, toMclG2 } from './mcl-bn254.ts';
import { G1_BYTES, g1Bytes, g2Bytes, MILLER_LOOP_BYTES, PAIR_BYTES, scalarBytes } from './native-pairing.ts';
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
 * The weighted equation's left side over its right side, an element of G_T: one when the equation
 * holds. Kept to locate an invalid proof by comparing two of them (verify-batch.ts).
 */
export type EquationProduct = { readonly kind: 'native'; readonly bytes: Uint8Array } | { readonly kind: 'mcl'; readonly value: GT };

export type WeightedEquation = { readonly holds: boolean; readonly product: EquationProduct };

/**
 * The weighted equation above for `proofs` (all loaded under `key`) with `weights` (one per proof)
 * and `icScalars` (one per IC point, s_0 weighing IC[0]). e(alpha, beta) is raised to the weights'
 * sum mod r (no cost when it is 1, the key's Miller loop of it serving as is).
 */
export function weightedEquation(key: PreparedVerificationKey, proofs: readonly LoadedProof[], weights: readonly bigint[], icScalars: readonly bigint[]): WeightedEquation {
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0n) % SCALAR_FIELD_ORDER;
  return key.kind === 'native'
    ? nativeEquation(key, proofs as readonly Extract<LoadedProof, { kind: 'native' }>[], weights, icScalars, weightSum)
    : mclEquation(key, proofs as readonly Extract<LoadedProof, { kind: 'mcl' }>[], weights, icScalars, weightSum);
}

/**
 * dividend / divisor: for products of the same weights over a set and over part of it, the
 * product over the rest (the equation holding there when it is 1).
 */
export function divideProducts(key: PreparedVerificationKey, dividend: EquationProduct, divisor: EquationProduct): WeightedEquation {
  if (key.kind === 'native' && dividend.kind === 'native' && divisor.kind === 'native') {
    const bytes = new Uint8Array(MILLER_LOOP_BYTES);
    return { holds: key.pairing.productQuotient(dividend.bytes, divisor.bytes, bytes), product: { kind: 'native', bytes } };
  }
  if (dividend.kind !== 'mcl' || divisor.kind !== 'mcl') throw new Error('divideProducts: products of different arithmetics');
  const value = mcl.div(dividend.value, divisor.value);
  return { holds: value.isOne(), product: { kind: 'mcl', value } };
}

/** The least k in 1..max with base^k == target; 0 when there is none. */
export function findPower(key: PreparedVerificationKey, base: EquationProduct, target: EquationProduct, max: number): number {
  if (key.kind === 'native' && base.kind === 'native' && target.kind === 'native') return key.pairing.findPower(base.bytes, target.bytes, max);
  if (base.kind !== 'mcl' || target.kind !== 'mcl') throw new Error('findPower: products of different arithmetics');
  let power = base.value;
  for (let k = 1; k <= max; k++) {
    if (power.isEqual(target.value)) return k;
    power = mcl.mul(power, base.value);
  }
  return 0;
}

/**
 * One product check over (w_i A_i, B_i), times the key's Miller loop of (-alpha, beta) (or, for
 * weights not summing to 1, with (weightSum alpha, -beta) as a third fixed pair), with (L, -gamma)
 * and (C, -delta) as fixed pairs (the key's precomputed lines); its G1 points computed by the
 * addon's multi-scalar multiplication straight into the pairs.
 */
function nativeEquation(key: NativeKey, proofs: readonly Extract<LoadedProof, { kind: 'native' }>[], weights: readonly bigint[], icScalars: readonly bigint[], weightSum: bigint): WeightedEquation {
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
  const alphaFixed = weightSum !== 1n;
  const fixedPoints = new Uint8Array((alphaFixed ? 3 : 2) * G1_BYTES);
  pairing.multiScalarMul(key.ic, scalarBytes(icScalars), fixedPoints.subarray(0, G1_BYTES));
  pairing.multiScalarMul(cs, scalarBytes(weights), fixedPoints.subarray(G1_BYTES, 2 * G1_BYTES));
  if (alphaFixed) pairing.multiScalarMul(key.alpha, scalarBytes([weightSum]), fixedPoints.subarray(2 * G1_BYTES));
  const product = new Uint8Array(MILLER_LOOP_BYTES);
  const holds = alphaFixed
    ? pairing.productIsOne(pairs, undefined, { points: fixedPoints, lines: key.negGammaDeltaBetaLines }, product)
    : pairing.productIsOne(pairs, key.negAlphaBetaLoop, { points: fixedPoints, lines: key.negGammaDeltaLines }, product);
  return { holds, product: { kind: 'native', bytes: product } };
}

/**
 * One multi-Miller loop over the (w_i A_i, B_i), one precomputed double loop for gamma and delta,
 * a single final exponentiation over the key's e(alpha, beta) (raised to weightSum unless it is 1).
 */
function mclEquation(key: MclKey, proofs: readonly Extract<LoadedProof, { kind: 'mcl' }>[], weights: readonly bigint[], icScalars: readonly bigint[], weightSum: bigint): WeightedEquation {
  const weightsFr = weights.map(toMclFr);
  const a = proofs.map(({ a }, i) => (weights[i] === 1n ? a : mcl.mul(a, weightsFr[i]!)));
  const l = mcl.mulVec([...key.ic], icScalars.map(toMclFr));
  const c = proofs.length === 1 && weights[0] === 1n ? proofs[0]!.c : mcl.mulVec(proofs.map((proof) => proof.c), weightsFr);
  const loops = mcl.mul(millerLoopVec(a, proofs.map(({ b }) => b)), mcl.precomputedMillerLoop2(mcl.neg(l), key.gamma, mcl.neg(c), key.delta));
  const alphaBeta = weightSum === 1n ? key.alphaBeta : mcl.pow(key.alphaBeta, toMclFr(weightSum));
  const product = mcl.div(mcl.finalExp(loops), alphaBeta);
  return { holds: product.isOne(), product: { kind: 'mcl', value: product } };
}

/** The equation for one proof: weight 1, the signals as IC's scalars. */
export function loadedProofHolds(key: PreparedVerificationKey, proof: LoadedProof, publicSignals: readonly bigint[]): boolean {
  return weightedEquation(key, [proof], [1n], [1n, ...publicSignals]).holds;
}
