// The BN254 pairing product check of native/bn254-pairing (a Node-API addon that `npm ci` builds
// with node-gyp where a C compiler is present). Where it is not built, the verifier keeps using
// mcl-wasm for the pairings: same results, about twice the CPU (docs/performance.md).
import { createRequire } from 'node:module';
import type { G2Affine } from './bn254.ts';

/** One pair: G1 x, y, then G2 x.c0, x.c1, y.c0, y.c1, each 32 bytes big-endian; all zero = infinity. */
export const PAIR_BYTES = 192;

type Addon = { pairingProductIsOne(pairs: Uint8Array): number; g2InSubgroup(point: Uint8Array): number };

/** The addon's result codes (native/bn254-pairing/src/bn254.h). */
const RESULT = { 1: 'yes', 2: 'no', 3: 'not-canonical', 4: 'not-on-curve', 5: 'not-initialised', 6: 'out-of-memory' } as const;

export type NativePairing = {
  /** Whether prod e(P_i, Q_i) == 1; G2 points must already be known to be in the order-r subgroup. */
  productIsOne(pairs: Uint8Array): boolean;
  /** Whether an on-curve G2 point (g2Bytes) is in the order-r subgroup. */
  inG2Subgroup(point: Uint8Array): boolean;
};

/** A G2 point as the G2 half of a pair: x.c0, x.c1, y.c0, y.c1. */
export function g2Bytes(point: G2Affine): Uint8Array {
  const hex = [point.x[0], point.x[1], point.y[0], point.y[1]].map((value) => value.toString(16).padStart(64, '0')).join('');
  return Buffer.from(hex, 'hex');
}

const ADDON_PATH = new URL('../../../../native/bn254-pairing/build/Release/bn254_pairing.node', import.meta.url).pathname;

/** Inputs are points already parsed (canonical, on their curves): any answer but yes or no is a bug, not a verdict. */
function verdict(code: number): boolean {
  if (code === 1 || code === 2) return code === 1;
  throw new Error(`bn254-pairing: ${RESULT[code as keyof typeof RESULT] ?? `code ${code}`}`);
}

let loaded: NativePairing | null | undefined;

/** The addon, loaded once per thread; undefined when it was not built here. */
export function nativePairing(): NativePairing | undefined {
  if (loaded === undefined) {
    let addon: Addon | undefined;
    try {
      addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
    } catch (error) {
      // Not built here, or built for another platform (a copied tree): mcl-wasm serves instead.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_DLOPEN_FAILED') throw error;
    }
    loaded = addon ? { productIsOne: (pairs) => verdict(addon.pairingProductIsOne(pairs)), inG2Subgroup: (point) => verdict(addon.g2InSubgroup(point)) } : null;
  }
  return loaded ?? undefined;
}
