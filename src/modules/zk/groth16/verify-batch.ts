// Batch verification under one key by a random linear combination: with independent random
// weights rho_i (128 bits), prod_i [e(A_i, B_i) / (e(alpha, beta) e(L_i, gamma) e(C_i, delta))]^rho_i
// equals 1 for a batch containing an invalid proof with probability about 2^-128 (every
// element involved is in a group of prime order r > 2^128, which parsing and loadStatement ensure).
// Rearranged, the whole batch costs one Miller loop per proof plus one final exponentiation:
//   prod_i e(rho_i A_i, B_i) == e(alpha, beta)^(sum rho_i) * e(sum rho_i L_i, gamma) * e(sum rho_i C_i, delta)
// and sum rho_i L_i folds into one multi-scalar multiplication over IC.
import { randomBytes } from 'node:crypto';
import mcl from 'mcl-wasm';
import { SCALAR_FIELD_ORDER } from './bn254.ts';
import { combineIc, loadedProofHolds, loadStatement, pairingEquationHolds, type LoadedProof } from './check-pairing.ts';
import { toMclFr } from './mcl-bn254.ts';
import type { PreparedVerificationKey } from './prepare-verification-key.ts';
import type { ParsedStatement, VerifyResult } from './types.ts';

const WEIGHT_BYTES = 16;

function randomWeights(count: number): bigint[] {
  const weights: bigint[] = [];
  while (weights.length < count) {
    const weight = BigInt(`0x${randomBytes(WEIGHT_BYTES).toString('hex')}`);
    if (weight !== 0n) weights.push(weight); // a zero weight would drop its proof from the check
  }
  return weights;
}

export type LoadedStatement = { readonly proof: LoadedProof; readonly publicSignals: readonly bigint[] };

/** The combined check alone: true if (with overwhelming probability) every proof in the batch is valid. */
export function weightedBatchHolds(key: PreparedVerificationKey, batch: readonly LoadedStatement[]): boolean {
  const weights = randomWeights(batch.length);
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0n) % SCALAR_FIELD_ORDER;
  // sum_i rho_i L_i = (sum_i rho_i) IC[0] + sum_j (sum_i rho_i s_ij) IC[j + 1]
  const signalScalars = Array.from({ length: key.nPublic }, (_, j) =>
    batch.reduce((sum, { publicSignals }, i) => (sum + weights[i]! * publicSignals[j]!) % SCALAR_FIELD_ORDER, 0n),
  );
  const weightsFr = weights.map(toMclFr);
  return pairingEquationHolds(
    key,
    batch.map(({ proof }, i) => mcl.mul(proof.a, weightsFr[i]!)),
    batch.map(({ proof }) => proof.b),
    combineIc(key, [weightSum, ...signalScalars]),
    mcl.mulVec(batch.map(({ proof }) => proof.c), weightsFr),
    mcl.pow(key.alphaBeta, toMclFr(weightSum)),
  );
}

/**
 * Verifies many statements under one key, returning one result per statement in order.
 * Malformed statements get their code without disturbing the others; if the combined check
 * fails, every remaining proof is checked on its own so each caller gets its own answer.
 */
export function verifyBatch(key: PreparedVerificationKey, statements: readonly ParsedStatement[]): VerifyResult[] {
  const results = new Array<VerifyResult>(statements.length);
  const loaded: Array<LoadedStatement & { readonly index: number }> = [];
  statements.forEach(({ proof, publicSignals }, index) => {
    const statement = loadStatement(key, proof, publicSignals);
    if (statement.ok) loaded.push({ index, proof: statement.value, publicSignals });
    else results[index] = statement;
  });
  const allValid = loaded.length > 1 && weightedBatchHolds(key, loaded);
  for (const { index, proof, publicSignals } of loaded) {
    results[index] = { ok: true, valid: allValid || loadedProofHolds(key, proof, publicSignals) };
  }
  return results;
}
