// The only file that talks to mcl-wasm: initialisation, conversions from parsed snarkjs
// coordinates, and a binding for mcl's multi-Miller loop, which the C library exports but
// the JavaScript wrapper does not.
import mcl, { type Fp2 as MclFp2, type Fr, type G1, type G2, type GT } from 'mcl-wasm';
import mclInternals from 'mcl-wasm/dist/mcl.js';
import type { Fp2, G2Affine } from './bn254.ts';
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

export function toMclFr(value: bigint): Fr {
  const fr = new mcl.Fr();
  fr.setStr(value.toString(), 10);
  return fr;
}

/** mcl checks the curve equation here; parsed points always satisfy it. */
export function toMclG1(point: G1AffineOrInfinity): G1 {
  const g1 = new mcl.G1();
  if (point !== 'infinity') g1.setStr(`1 ${point.x} ${point.y}`, 10);
  return g1;
}

function toMclFp2(value: Fp2): MclFp2 {
  const fp2 = new mcl.Fp2();
  fp2.setStr(`${value[0]} ${value[1]}`, 10);
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

/** [r]Q == 0: the twist curve has a large cofactor, so on-curve G2 points need this check. */
export function isInG2Subgroup(point: G2): boolean {
  return point.isValidOrder();
}

type MclWasmModule = {
  _mclBn_millerLoopVec(gtOut: number, g1Array: number, g2Array: number, count: number): void;
};

const wordsOf = (value: G1 | G2 | GT): Uint32Array => (value as unknown as { a_: Uint32Array }).a_;

/** Pairs per wasm call: the arrays are copied onto mcl's small wasm stack. */
const MILLER_LOOP_CHUNK = 16;

function millerLoopChunk(g1: readonly G1[], g2: readonly G2[]): GT {
  const out = new mcl.GT();
  const wasm = (mclInternals as unknown as { mod: MclWasmModule }).mod;
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
