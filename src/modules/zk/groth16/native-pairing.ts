// The BN254 pairing product check of native/bn254-pairing (a Node-API addon that `npm ci` builds
// with node-gyp where a C compiler is present). Where it is not built, the verifier keeps using
// mcl-wasm for the pairings: same results, about twice the CPU (docs/performance.md).
import { createRequire } from 'node:module';

/** One pair: G1 x, y, then G2 x.c0, x.c1, y.c0, y.c1, each 32 bytes big-endian; all zero = infinity. */
export const PAIR_BYTES = 192;

type Addon = { pairingProductIsOne(pairs: Uint8Array): number };

/** The addon's result codes (native/bn254-pairing/src/bn254.h). */
const RESULT = { 1: 'one', 2: 'not-one', 3: 'not-canonical', 4: 'not-on-curve', 5: 'not-initialised', 6: 'out-of-memory' } as const;

export type NativePairing = {
  /** Whether prod e(P_i, Q_i) == 1; G2 points must already be known to be in the order-r subgroup. */
  productIsOne(pairs: Uint8Array): boolean;
};

const ADDON_PATH = new URL('../../../../native/bn254-pairing/build/Release/bn254_pairing.node', import.meta.url).pathname;

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
    loaded = addon
      ? {
          productIsOne(pairs) {
            const code = addon.pairingProductIsOne(pairs);
            if (code === 1 || code === 2) return code === 1;
            // Inputs come from mcl's own points: any other answer is a bug, not a verdict.
            throw new Error(`bn254-pairing: ${RESULT[code as keyof typeof RESULT] ?? `code ${code}`}`);
          },
        }
      : null;
  }
  return loaded ?? undefined;
}
