// The only file that talks to mcl-wasm's internals: initialisation, conversions from parsed
// snarkjs coordinates, and bindings for what the C library exports but the JavaScript wrapper
// does not (the multi-Miller loop, and in-place G2 arithmetic for the subgroup check).
import mcl, { type Fp2 as MclFp2, type Fr, type G1, type G2, type GT } from 'mcl-wasm';
import mclInternals from 'mcl-wasm/dist/mcl.js';
import { BN_SEED, nonAdjacentForm, PSI_X_COEFFICIENT, PSI_Y_COEFFICIENT, type Fp2, type G2Affine } from './bn254.ts';
import type { G1AffineOrInfinity } from './types.ts';

let initialization: Promise<void> | undefined;

/**
 * Initialises mcl for BN254 as snarkjs uses it (BN_SNARK1) in this thread. Idempotent:
 * mcl.init builds a fresh wasm instance each call, which would orphan every precomputed
 * key, so the first call's promise is kept (mcl itself is a per-thread singleton).
 */
export function initMcl(): Promise<void> {
  initialization ??= mcl.init(mcl.BN_SNARK1);
  return initialization;
}

export function assertMclReady(): void {
  if (mcl.curveType !== mcl.BN_SNARK1) {
    throw new Error('mcl is not initialised for BN254 in this thread: await initMcl() first');
  }
}

// Values cross into mcl as hexadecimal strings: BigInt.toString(16) and mcl's base-16 parser
// are linear in the length, decimal conversion on either side is not.
const hex = (value: bigint): string => value.toString(16);

export function toMclFr(value: bigint): Fr {
  const fr = new mcl.Fr();
  fr.setStr(hex(value), 16);
  return fr;
}

/** mcl checks the curve equation here; parsed points always satisfy it. */
export function toMclG1(point: G1AffineOrInfinity): G1 {
  const g1 = new mcl.G1();
  if (point !== 'infinity') g1.setStr(`1 ${hex(point.x)} ${hex(point.y)}`, 16);
  return g1;
}

function toMclFp2(value: Fp2): MclFp2 {
  const fp2 = new mcl.Fp2();
  fp2.setStr(`${hex(value[0])} ${hex(value[1])}`, 16);
  return fp2;
}

/**
 * Sets the coordinates directly instead of G2.setStr, whose checks depend on mcl's global
 * verifyOrderG2 flag; the caller checks subgroup membership explicitly with isInG2Subgroup.
 */
export function toMclG2(point: G2Affine): G2 {
  const g2 = new mcl.G2();
  g2.setX(toMclFp2(point.x));
  g2.setY(toMclFp2(point.y));
  g2.setZ(toMclFp2([1n, 0n]));
  return g2;
}

type MclWasmModule = {
  _mclBn_millerLoopVec(gtOut: number, g1Array: number, g2Array: number, count: number): void;
  _mclBnG2_add(out: number, left: number, right: number): void;
  _mclBnG2_sub(out: number, left: number, right: number): void;
  _mclBnG2_dbl(out: number, point: number): void;
  _mclBnG2_isEqual(left: number, right: number): number;
  _mclBnFp_neg(out: number, value: number): void;
  _mclBnFp2_mul(out: number, left: number, right: number): void;
  readonly HEAP32: Int32Array;
};

/** Read on each use: mcl.init replaces the module, and memory growth replaces HEAP32. */
const wasmModule = (): MclWasmModule => (mclInternals as unknown as { mod: MclWasmModule }).mod;

const wordsOf = (value: G1 | G2 | GT | MclFp2): Uint32Array => (value as unknown as { a_: Uint32Array }).a_;

/** Pairs per wasm call: the arrays are copied onto mcl's small wasm stack. */
const MILLER_LOOP_CHUNK = 16;

function millerLoopChunk(g1: readonly G1[], g2: readonly G2[]): GT {
  const out = new mcl.GT();
  const wasm = wasmModule();
  const stack = mclInternals.stackSave();
  try {
    const outPos = mclInternals.salloc(wordsOf(out));
    const g1Pos = mclInternals.sallocArray(g1.map(wordsOf));
    const g2Pos = mclInternals.sallocArray(g2.map(wordsOf));
    wasm._mclBn_millerLoopVec(outPos, g1Pos, g2Pos, g1.length);
    mclInternals.copyFromHeap32(wordsOf(out), outPos);
  } finally {
    mclInternals.stackRestore(stack);
  }
  return out;
}

/**
 * prod_i millerLoop(g1[i], g2[i]) in shared loops (one squaring per step for all pairs),
 * about 25% cheaper per pair than separate Miller loops. Needs at least one pair.
 */
export function millerLoopVec(g1: readonly G1[], g2: readonly G2[]): GT {
  if (g1.length === 0 || g1.length !== g2.length) {
    throw new Error(`millerLoopVec needs equally many G1 and G2 points (got ${g1.length} and ${g2.length})`);
  }
  let product: GT | undefined;
  for (let start = 0; start < g1.length; start += MILLER_LOOP_CHUNK) {
    const chunk = millerLoopChunk(g1.slice(start, start + MILLER_LOOP_CHUNK), g2.slice(start, start + MILLER_LOOP_CHUNK));
    product = product === undefined ? chunk : mcl.mul(product, chunk);
  }
  return product as GT;
}

/** The signed digits of x after the leading 1. */
const SEED_DIGITS_AFTER_LEADING_ONE = nonAdjacentForm(BN_SEED).slice(1);

/**
 * Whether an on-curve G2 point is in the order-r subgroup, with one 63-bit scalar
 * multiplication instead of [r]Q == 0 (mcl's isValidOrder, 254 bits):
 *   Q in G2  <=>  [x+1]Q + psi([x]Q) + psi^2([x]Q) == psi^3([2x]Q)
 * Dai, Lin, Zhao, Zhou, "Fast subgroup membership testings for G1, G2 and GT on
 * pairing-friendly curves" (ePrint 2022/348, BN curves), valid when x != 4 (mod 13) and
 * x != 92 (mod 97), which bn254.test.ts checks for this curve's x; see also ethresear.ch
 * "Fast G2 subgroup check in BN254" (Sanso, Liang). The arithmetic runs in place on the wasm
 * stack: mcl.mul cannot be used, its GLV decomposition assumes the point is already in G2.
 */
export function isInG2Subgroup(point: G2): boolean {
  const wasm = wasmModule();
  const words = wordsOf(point);
  const g2Bytes = words.length * 4;
  const stack = mclInternals.stackSave();
  try {
    const q = mclInternals.sallocCopy(words);
    const xQ = mclInternals.stackAlloc(g2Bytes);
    const lhs = mclInternals.stackAlloc(g2Bytes);
    const scratch = mclInternals.stackAlloc(g2Bytes);
    const psi = psiInPlace(wasm, g2Bytes);

    // [x]Q, left to right over the signed digits of x.
    wasm.HEAP32.copyWithin(xQ >> 2, q >> 2, (q + g2Bytes) >> 2);
    for (const digit of SEED_DIGITS_AFTER_LEADING_ONE) {
      wasm._mclBnG2_dbl(xQ, xQ);
      if (digit === 1) wasm._mclBnG2_add(xQ, xQ, q);
      else if (digit === -1) wasm._mclBnG2_sub(xQ, xQ, q);
    }

    wasm._mclBnG2_add(lhs, xQ, q);
    wasm.HEAP32.copyWithin(scratch >> 2, xQ >> 2, (xQ + g2Bytes) >> 2);
    psi(scratch);
    wasm._mclBnG2_add(lhs, lhs, scratch);
    psi(scratch);
    wasm._mclBnG2_add(lhs, lhs, scratch);

    wasm._mclBnG2_dbl(scratch, xQ);
    psi(scratch);
    psi(scratch);
    psi(scratch);
    return wasm._mclBnG2_isEqual(lhs, scratch) === 1;
  } finally {
    mclInternals.stackRestore(stack);
  }
}

/**
 * psi on mcl's G2 layout (X, Y, Z in F_p2, each c0 then c1): (conj(X) cx, conj(Y) cy, conj(Z)).
 * Scaling the coordinates this way is the same map for Jacobian and projective coordinates,
 * since conj commutes with the division by a power of Z. Allocates the coefficients on the
 * wasm stack of the caller's frame.
 */
function psiInPlace(wasm: MclWasmModule, g2Bytes: number): (point: number) => void {
  const fp2Bytes = g2Bytes / 3;
  const fpBytes = fp2Bytes / 2;
  const xCoefficient = mclInternals.sallocCopy(wordsOf(psiCoefficients().x));
  const yCoefficient = mclInternals.sallocCopy(wordsOf(psiCoefficients().y));
  return (point) => {
    const [x, y, z] = [point, point + fp2Bytes, point + 2 * fp2Bytes];
    for (const coordinate of [x, y, z]) wasm._mclBnFp_neg(coordinate + fpBytes, coordinate + fpBytes);
    wasm._mclBnFp2_mul(x, x, xCoefficient);
    wasm._mclBnFp2_mul(y, y, yCoefficient);
  };
}

let psiCoefficientCache: { readonly x: MclFp2; readonly y: MclFp2 } | undefined;

function psiCoefficients(): { readonly x: MclFp2; readonly y: MclFp2 } {
  psiCoefficientCache ??= { x: toMclFp2(PSI_X_COEFFICIENT), y: toMclFp2(PSI_Y_COEFFICIENT) };
  return psiCoefficientCache;
}
