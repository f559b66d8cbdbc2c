// The BN254 arithmetic of native/bn254-pairing (a Node-API addon that `npm ci` builds with
// node-gyp where a C compiler is present): the pairing product check, G2 subgroup membership and
// G1 multi-scalar multiplication. Where it is not built, the verifier keeps using mcl-wasm: same
// results, about twice the CPU (docs/performance.md).
import { createRequire } from 'node:module';
import type { G2Affine } from './bn254.ts';
import type { G1AffineOrInfinity } from './types.ts';

/** One pair: G1 x, y, then G2 x.c0, x.c1, y.c0, y.c1, each 32 bytes big-endian; all zero = infinity. */
export const PAIR_BYTES = 192;

/** A G1 point as the G1 half of a pair: x, y. */
export const G1_BYTES = 64;

/** A Miller loop's value before the final exponentiation, or a product after it: opaque bytes, for the build that made them. */
export const MILLER_LOOP_BYTES = 384;

type Addon = {
  pairingProductIsOne(pairs: Uint8Array, factor: Uint8Array, fixedPoints: Uint8Array, fixedLines: Uint8Array, product: Uint8Array): number;
  findPower(base: Uint8Array, target: Uint8Array, max: number): number;
  productQuotient(dividend: Uint8Array, divisor: Uint8Array, out: Uint8Array): number;
  millerLoop(pairs: Uint8Array, out: Uint8Array): number;
  precomputeLines(point: Uint8Array, out: Uint8Array): number;
  readonly linesBytes: number;
  g2InSubgroup(point: Uint8Array): number;
  g1MultiScalarMul(points: Uint8Array, scalars: Uint8Array, out: Uint8Array): number;
};

/** The addon's result codes (native/bn254-pairing/src/bn254.h). */
const RESULT = { 0: 'ok', 1: 'yes', 2: 'no', 3: 'not-canonical', 4: 'not-on-curve', 5: 'not-initialised', 6: 'out-of-memory' } as const;

export type NativePairing = {
  /**
   * Whether prod e(P_i, Q_i) == 1, with `factor` (a millerLoop of other pairs, e.g. a key's fixed
   * ones) and `fixed` pairs (G1 points, g1Bytes, with the precomputedLines of their G2 points, in
   * order) in the product; G2 points must already be known to be in the order-r subgroup. The
   * product itself (MILLER_LOOP_BYTES, after the final exponentiation) is written to `product` when given.
   */
  productIsOne(pairs: Uint8Array, factor?: Uint8Array, fixed?: { readonly points: Uint8Array; readonly lines: Uint8Array }, product?: Uint8Array): boolean;
  /** The least k in 1..max with base^k == target (products from productIsOne); 0 when there is none. */
  findPower(base: Uint8Array, target: Uint8Array, max: number): number;
  /** Writes dividend / divisor (products from productIsOne) into `out`; whether that is 1. */
  productQuotient(dividend: Uint8Array, divisor: Uint8Array, out: Uint8Array): boolean;
  /** The pairs' Miller loop, to be a factor of later product checks. */
  millerLoop(pairs: Uint8Array): Uint8Array;
  /** A G2 point's (g2Bytes) Miller-loop lines, for pairings with it as a fixed pair: opaque bytes, for the build that made them. */
  precomputeLines(point: Uint8Array): Uint8Array;
  /** Whether an on-curve G2 point (g2Bytes) is in the order-r subgroup. */
  inG2Subgroup(point: Uint8Array): boolean;
  /** Writes sum_i scalars[i] * points[i] (g1Bytes, concatenated; scalarBytes) into `out` (64 bytes, e.g. a pair's G1 half). */
  multiScalarMul(points: Uint8Array, scalars: Uint8Array, out: Uint8Array): void;
};

const coordinateHex = (value: bigint) => value.toString(16).padStart(64, '0');

/** G1 points as the G1 halves of pairs (x, y), one after another; the point at infinity as zeros. */
export function g1Bytes(points: readonly G1AffineOrInfinity[]): Uint8Array {
  return Buffer.from(points.map((point) => (point === 'infinity' ? '0'.repeat(128) : coordinateHex(point.x) + coordinateHex(point.y))).join(''), 'hex');
}

/** Scalars (non-negative, below 2^256) as 32-byte big-endian values, one after another. */
export function scalarBytes(scalars: readonly bigint[]): Uint8Array {
  return Buffer.from(scalars.map(coordinateHex).join(''), 'hex');
}

/** A G2 point as the G2 half of a pair: x.c0, x.c1, y.c0, y.c1. */
export function g2Bytes(point: G2Affine): Uint8Array {
  return Buffer.from([point.x[0], point.x[1], point.y[0], point.y[1]].map(coordinateHex).join(''), 'hex');
}

/** Where `npm ci` (package.json's install script) builds the addon, from the repository's root; the image copies it there too. */
export const ADDON_FILE = 'native/bn254-pairing/build/Release/bn254_pairing.node';
/**
 * The same sources built with the portable carry arithmetic that machines other than x86-64 run
 * (binding.gyp's second target): never loaded by the verifier, compared with the first by the tests.
 */
export const PORTABLE_ADDON_FILE = 'native/bn254-pairing/build/Release/bn254_pairing_portable.node';

/** Inputs are points already parsed (canonical, on their curves): any answer but the expected ones is a bug, not a verdict. */
function unexpected(code: number): Error {
  return new Error(`bn254-pairing: ${RESULT[code as keyof typeof RESULT] ?? `code ${code}`}`);
}

/** An argument left out: no factor, no fixed pairs. */
const NONE = new Uint8Array(0);

function verdict(code: number): boolean {
  if (code === 1 || code === 2) return code === 1;
  throw unexpected(code);
}

/** A build of the addon (a path from the repository's root); undefined when it was not built here. */
export function loadNativePairing(file: string): NativePairing | undefined {
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(new URL(`../../../../${file}`, import.meta.url).pathname) as Addon;
  } catch (error) {
    // Not built here, or built for another platform (a copied tree): mcl-wasm serves instead.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_DLOPEN_FAILED') throw error;
    return undefined;
  }
  return {
    productIsOne: (pairs, factor, fixed, product) => verdict(addon.pairingProductIsOne(pairs, factor ?? NONE, fixed?.points ?? NONE, fixed?.lines ?? NONE, product ?? NONE)),
    findPower: (base, target, max) => addon.findPower(base, target, max),
    productQuotient: (dividend, divisor, out) => verdict(addon.productQuotient(dividend, divisor, out)),
    millerLoop(pairs) {
      const out = new Uint8Array(MILLER_LOOP_BYTES);
      const code = addon.millerLoop(pairs, out);
      if (code !== 0) throw unexpected(code);
      return out;
    },
    precomputeLines(point) {
      const out = new Uint8Array(addon.linesBytes);
      const code = addon.precomputeLines(point, out);
      if (code !== 0) throw unexpected(code);
      return out;
    },
    inG2Subgroup: (point) => verdict(addon.g2InSubgroup(point)),
    multiScalarMul(points, scalars, out) {
      const code = addon.g1MultiScalarMul(points, scalars, out);
      if (code !== 0) throw unexpected(code);
    },
  };
}

let loaded: NativePairing | null | undefined;

/** The addon the verifier uses, loaded once per thread; undefined when it was not built here. */
export function nativePairing(): NativePairing | undefined {
  if (loaded === undefined) loaded = loadNativePairing(ADDON_FILE) ?? null;
  return loaded ?? undefined;
}
