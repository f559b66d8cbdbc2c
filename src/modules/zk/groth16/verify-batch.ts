// Batch verification under one key by a random linear combination. With weights rho_i,
//   prod_i [e(A_i, B_i) / (e(alpha, beta) e(L_i, gamma) e(C_i, delta))]^rho_i == 1
// rearranges to one Miller loop per proof plus one final exponentiation for the batch:
//   prod_i e(rho_i A_i, B_i) == e(alpha, beta)^(sum rho_i) * e(sum rho_i L_i, gamma) * e(sum rho_i C_i, delta)
// where sum rho_i L_i is one multi-scalar multiplication over IC (the signals folded into its
// scalars) and sum rho_i C_i another over the C's.
//
// Weights: rho_1..rho_{n-1} are independent, uniform, non-zero 128-bit values from node:crypto
// and rho_0 = 1 - (rho_1 + ... + rho_{n-1}) mod r, so the weights sum to 1 and e(alpha, beta)
// needs no exponentiation. Soundness: with e_i the discrete log of proof i's equation (zero iff
// it holds; every element involved is in a group of prime order r, which parsing and
// loadStatement ensure), the check is sum rho_i e_i = e_0 + sum_{i>0} rho_i (e_i - e_0) = 0.
// If all e_i equal e_0 this is e_0 = 0, i.e. every proof holds; otherwise it is a non-zero
// affine function of some rho_i, zero for at most one of its 2^128 - 1 values. A batch with an
// invalid proof therefore passes with probability at most about 2^-128; a valid batch always passes.
import { randomBytes } from 'node:crypto';
import { SCALAR_FIELD_ORDER } from './bn254.ts';
import { loadedProofHolds, loadStatement, weightedEquationHolds, type LoadedProof } from './check-pairing.ts';
import type { PreparedVerificationKey } from './prepare-verification-key.ts';
import type { ParsedStatement, VerifyResult } from './types.ts';

const WEIGHT_BYTES = 16;

function randomWeight(): bigint {
  for (;;) {
    const weight = BigInt(`0x${randomBytes(WEIGHT_BYTES).toString('hex')}`);
    if (weight !== 0n) return weight; // a zero weight would drop its proof from the check
  }
}

/** `count` weights summing to 1 mod r (see the comment at the top). */
function weightsSummingToOne(count: number): bigint[] {
  const free = Array.from({ length: count - 1 }, randomWeight);
  const freeSum = free.reduce((sum, weight) => sum + weight, 0n) % SCALAR_FIELD_ORDER;
  return [(1n - freeSum + SCALAR_FIELD_ORDER) % SCALAR_FIELD_ORDER, ...free];
}

export type LoadedStatement = { readonly proof: LoadedProof; readonly publicSignals: readonly bigint[] };

/** The combined check alone: true if (with overwhelming probability) every proof in the batch is valid. */
export function weightedBatchHolds(key: PreparedVerificationKey, batch: readonly LoadedStatement[]): boolean {
  const weights = weightsSummingToOne(batch.length);
  // sum_i rho_i L_i = (sum_i rho_i) IC[0] + sum_j (sum_i rho_i s_ij) IC[j + 1], and sum_i rho_i = 1
  const signalScalars = Array.from({ length: key.nPublic }, (_, j) =>
    batch.reduce((sum, { publicSignals }, i) => (sum + weights[i]! * publicSignals[j]!) % SCALAR_FIELD_ORDER, 0n),
  );
  return weightedEquationHolds(key, batch.map(({ proof }) => proof), weights, [1n, ...signalScalars]);
}

type IndexedStatement = LoadedStatement & { readonly index: number };

/** Results decided while a failed batch is bisected, before the rest of it: `indexes` into the batch. */
export type OnSettled = (indexes: readonly number[], results: readonly VerifyResult[]) => void;

/**
 * Decides every statement of `group`, writing into `results`; returns whether all are valid.
 * A group whose combined check fails is split in halves, recursively, so one invalid proof
 * among n costs about log2(n) extra combined checks (of halving size) instead of n single
 * verifications. `holdsAnInvalidProof` is set when the caller already knows that: a failed
 * group whose first half passed has its invalid proofs in the second half, whose own combined
 * check would be wasted (and a single proof known to be invalid needs no check at all).
 * `onSettled` hears each part decided by a bisection (the halves and theirs), not the group itself.
 */
function settleGroup(
  key: PreparedVerificationKey,
  group: readonly IndexedStatement[],
  results: VerifyResult[],
  options: { holdsAnInvalidProof: boolean; onSettled: OnSettled | undefined; isPart: boolean },
): boolean {
  const settled = (valid: boolean): boolean => {
    const result = { ok: true, valid } as const;
    for (const { index } of group) results[index] = result;
    if (options.isPart) options.onSettled?.(group.map(({ index }) => index), group.map(() => result));
    return valid;
  };
  if (group.length === 1) {
    const { proof, publicSignals } = group[0]!;
    return settled(!options.holdsAnInvalidProof && loadedProofHolds(key, proof, publicSignals));
  }
  if (!options.holdsAnInvalidProof && weightedBatchHolds(key, group)) return settled(true);
  const middle = Math.ceil(group.length / 2);
  const firstHalfValid = settleGroup(key, group.slice(0, middle), results, { holdsAnInvalidProof: false, onSettled: options.onSettled, isPart: true });
  settleGroup(key, group.slice(middle), results, { holdsAnInvalidProof: firstHalfValid, onSettled: options.onSettled, isPart: true });
  return false;
}

/**
 * Verifies many statements under one key, returning one result per statement in order.
 * Malformed statements get their code without disturbing the others; valid and invalid
 * proofs are told apart by bisecting failed combined checks (settleGroup). While a failed
 * batch is bisected, `onSettled` hears each part as it is decided, so that its callers need
 * not wait for the rest (a batch decided at once is only returned).
 */
export function verifyBatch(key: PreparedVerificationKey, statements: readonly ParsedStatement[], onSettled?: OnSettled): VerifyResult[] {
  const results = new Array<VerifyResult>(statements.length);
  const loaded: IndexedStatement[] = [];
  statements.forEach(({ proof, publicSignals }, index) => {
    const statement = loadStatement(key, proof, publicSignals);
    if (statement.ok) loaded.push({ index, proof: statement.value, publicSignals });
    else results[index] = statement;
  });
  if (loaded.length > 0) settleGroup(key, loaded, results, { holdsAnInvalidProof: false, onSettled, isPart: false });
  return results;
}
