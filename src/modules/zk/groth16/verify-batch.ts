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
//
// A failed batch usually holds one invalid proof, which one more check finds (settleFailedRange):
// with T = g^(sum rho_i e_i), the failed check's product, and T' = g^(sum (i + 1) rho_i e_i), that
// of the same batch weighted by (i + 1) rho_i, a lone invalid proof b gives T' = T^(b + 1), and
// T^k for k = 1..n are n multiplications in G_T. Conversely T' = T^k means
// sum rho_i e_i (i + 1 - k) = 0: with rho_0 substituted, e_0 (1 - k)(1 - sum_{j>0} rho_j) +
// sum_{j>0} rho_j e_j (j + 1 - k), an affine function of the rho_j that is identically zero only
// if every e_i with i + 1 != k is zero, and otherwise zero with probability at most about 2^-128
// for each of the n values of k. So a match proves every other proof valid (with T != 1, proof
// k - 1 invalid), and no match means two or more invalid proofs. The batch is then bisected with
// the same weights, restricted to each half: the second half's products are the batch's divided by
// the first half's. The same argument holds for any part S of the batch (sum over S only; a
// missing rho_j then carries -e_0 (1 - k), resp. -e_0 for the plain check T_S = 1), and a union
// bound over the at most 2n parts bisection can visit keeps every verdict's error below n^2 2^-127.
import { randomBytes } from 'node:crypto';
import { SCALAR_FIELD_ORDER } from './bn254.ts';
import { divideProducts, findPower, loadStatement, weightedEquation, type EquationProduct, type LoadedProof, type WeightedEquation } from './check-pairing.ts';
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

/** The combined check of `batch` with `weights`: whether it holds, and its product (for settleFailedRange). */
function weightedBatch(key: PreparedVerificationKey, batch: readonly LoadedStatement[], weights: readonly bigint[]): WeightedEquation {
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0n) % SCALAR_FIELD_ORDER;
  // sum_i rho_i L_i = (sum_i rho_i) IC[0] + sum_j (sum_i rho_i s_ij) IC[j + 1]
  const signalScalars = Array.from({ length: key.nPublic }, (_, j) =>
    batch.reduce((sum, { publicSignals }, i) => (sum + weights[i]! * publicSignals[j]!) % SCALAR_FIELD_ORDER, 0n),
  );
  return weightedEquation(key, batch.map(({ proof }) => proof), weights, [weightSum, ...signalScalars]);
}

/** The combined check alone: true if (with overwhelming probability) every proof in the batch is valid. */
export function weightedBatchHolds(key: PreparedVerificationKey, batch: readonly LoadedStatement[]): boolean {
  return weightedBatch(key, batch, weightsSummingToOne(batch.length)).holds;
}

type IndexedStatement = LoadedStatement & { readonly index: number };

/** Results decided while a failed batch is bisected, before the rest of it: `indexes` into the batch. */
export type OnSettled = (indexes: readonly number[], results: readonly VerifyResult[]) => void;

/** A batch being decided, with its two sets of weights: rho_i and (i + 1) rho_i. */
type Settling = {
  readonly key: PreparedVerificationKey;
  readonly statements: readonly IndexedStatement[];
  readonly weights: readonly bigint[];
  readonly indexWeights: readonly bigint[];
  readonly results: VerifyResult[];
  readonly onSettled: OnSettled | undefined;
};

/** A range's combined check under each set of weights (the second's product only). */
type RangeProducts = { readonly plain: WeightedEquation; readonly indexed: EquationProduct };

/** Writes the results of statements start..end - 1, telling `onSettled` when they are part of the batch. */
function settleRange(batch: Settling, start: number, end: number, valid: (position: number) => boolean, isPart: boolean): void {
  const indexes: number[] = [];
  const results: VerifyResult[] = [];
  for (let position = start; position < end; position++) {
    const result = { ok: true, valid: valid(position) } as const;
    batch.results[batch.statements[position]!.index] = result;
    indexes.push(batch.statements[position]!.index);
    results.push(result);
  }
  if (isPart) batch.onSettled?.(indexes, results);
}

/** The combined checks of statements start..end - 1 under both sets of weights. */
function rangeProducts(batch: Settling, start: number, end: number): RangeProducts {
  const statements = batch.statements.slice(start, end);
  return {
    plain: weightedBatch(batch.key, statements, batch.weights.slice(start, end)),
    indexed: weightedBatch(batch.key, statements, batch.indexWeights.slice(start, end)).product,
  };
}

/**
 * Decides statements start..end - 1, whose plain check failed. A lone invalid proof among them is
 * located from the two products (see the comment at the top); else the range holds two or more
 * and is split in halves: the first half's products are computed, the second's are the range's
 * divided by them (same weights, so no pairing), and each half that fails is decided the same way.
 */
function settleFailedRange(batch: Settling, start: number, end: number, products: RangeProducts, isPart: boolean): void {
  const power = findPower(batch.key, products.plain.product, products.indexed, batch.statements.length);
  const invalid = power - 1;
  if (end - start === 1 || (power > 0 && invalid >= start && invalid < end)) {
    return settleRange(batch, start, end, (position) => end - start > 1 && position !== invalid, isPart);
  }
  const middle = start + Math.ceil((end - start) / 2);
  const first = rangeProducts(batch, start, middle);
  const second = {
    plain: divideProducts(batch.key, products.plain.product, first.plain.product),
    indexed: divideProducts(batch.key, products.indexed, first.indexed).product,
  };
  for (const [from, to, halfProducts] of [[start, middle, first], [middle, end, second]] as const) {
    if (halfProducts.plain.holds) settleRange(batch, from, to, () => true, true);
    else settleFailedRange(batch, from, to, halfProducts, true);
  }
}

/**
 * Decides a whole batch: one combined check; if it fails, one more under the index weights, which
 * locates a lone invalid proof; a batch with two or more is bisected (settleFailedRange), its parts
 * told to `onSettled` as they are decided.
 */
function settleBatch(key: PreparedVerificationKey, statements: readonly IndexedStatement[], results: VerifyResult[], onSettled: OnSettled | undefined): void {
  const weights = weightsSummingToOne(statements.length);
  const batch: Settling = { key, statements, weights, indexWeights: weights.map((weight, i) => (weight * BigInt(i + 1)) % SCALAR_FIELD_ORDER), results, onSettled };
  const plain = weightedBatch(key, statements, weights);
  if (plain.holds) return settleRange(batch, 0, statements.length, () => true, false);
  if (statements.length === 1) return settleRange(batch, 0, 1, () => false, false);
  settleFailedRange(batch, 0, statements.length, { plain, indexed: weightedBatch(key, statements, batch.indexWeights).product }, false);
}

/**
 * Verifies many statements under one key, returning one result per statement in order.
 * Malformed statements get their code without disturbing the others; valid and invalid proofs are
 * told apart by settleBatch. While a batch with several invalid proofs is bisected, `onSettled`
 * hears each part as it is decided, so that its callers need not wait for the rest (a batch
 * decided at once is only returned).
 */
export function verifyBatch(key: PreparedVerificationKey, statements: readonly ParsedStatement[], onSettled?: OnSettled): VerifyResult[] {
  const results = new Array<VerifyResult>(statements.length);
  const loaded: IndexedStatement[] = [];
  statements.forEach(({ proof, publicSignals }, index) => {
    const statement = loadStatement(key, proof, publicSignals);
    if (statement.ok) loaded.push({ index, proof: statement.value, publicSignals });
    else results[index] = statement;
  });
  if (loaded.length > 0) settleBatch(key, loaded, results, onSettled);
  return results;
}
