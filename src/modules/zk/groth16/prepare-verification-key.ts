import mcl, { type G1, type GT, type PrecomputedG2 } from 'mcl-wasm';
import { negateG1, negateG2 } from './bn254.ts';
import { assertMclReady, isInG2Subgroup, toMclG1, toMclG2 } from './mcl-bn254.ts';
import { g1Bytes, g2Bytes, nativePairing, PAIR_BYTES, type NativePairing } from './native-pairing.ts';
import { groth16Failure, type Groth16Result, type ParsedVerificationKey } from './types.ts';

/** A verification key with everything that does not depend on the proof computed once. */
export type PreparedVerificationKey = {
  readonly nPublic: number;
  /** e(alpha, beta), so a verification needs no pairing with the key's alpha and beta. */
  readonly alphaBeta: GT;
  /** Line coefficients of gamma and delta for mcl's precomputed Miller loops. */
  readonly gamma: PrecomputedG2;
  readonly delta: PrecomputedG2;
  /** IC[0..nPublic], ready for a multi-scalar multiplication with [1, ...signals]. */
  readonly ic: readonly G1[];
  /**
   * When the native arithmetic is used: it, and the key as its product check takes it: the Miller
   * loop of (-alpha, beta) computed once, -gamma and -delta as G2 halves of a pair, IC's points for
   * its multi-scalar multiplication. Otherwise mcl's pairings and points above.
   */
  readonly native: NativeKey | undefined;
  /** Frees the precomputed tables (wasm memory outside the JS heap). */
  dispose(): void;
};

export type NativeKey = {
  readonly pairing: NativePairing;
  readonly negAlphaBetaLoop: Uint8Array;
  readonly negGamma: Uint8Array;
  readonly negDelta: Uint8Array;
  readonly ic: Uint8Array;
};

/**
 * Needs `await initMcl()` in this thread first. `pairing`: 'auto' uses the native pairing when it
 * was built, 'wasm' always mcl's (tests check both against snarkjs).
 */
export function prepareVerificationKey(key: ParsedVerificationKey, options: { pairing?: 'auto' | 'wasm' } = {}): Groth16Result<PreparedVerificationKey> {
  assertMclReady();
  const beta = toMclG2(key.beta);
  const gamma = toMclG2(key.gamma);
  const delta = toMclG2(key.delta);
  for (const [label, point] of [['vk_beta_2', beta], ['vk_gamma_2', gamma], ['vk_delta_2', delta]] as const) {
    if (!isInG2Subgroup(point)) {
      return groth16Failure('POINT_NOT_IN_SUBGROUP', `${label}: not in the order-r subgroup of G2`);
    }
  }
  const gammaTable = new mcl.PrecomputedG2(gamma);
  const deltaTable = new mcl.PrecomputedG2(delta);
  const pairing = options.pairing === 'wasm' ? undefined : nativePairing();
  let native: NativeKey | undefined;
  if (pairing) {
    const negAlphaBeta = new Uint8Array(PAIR_BYTES);
    negAlphaBeta.set(g1Bytes([negateG1(key.alpha)]), 0);
    negAlphaBeta.set(g2Bytes(key.beta), 64);
    native = { pairing, negAlphaBetaLoop: pairing.millerLoop(negAlphaBeta), negGamma: g2Bytes(negateG2(key.gamma)), negDelta: g2Bytes(negateG2(key.delta)), ic: g1Bytes(key.ic) };
  }
  return {
    ok: true,
    value: {
      nPublic: key.nPublic,
      alphaBeta: mcl.pairing(toMclG1(key.alpha), beta),
      gamma: gammaTable,
      delta: deltaTable,
      ic: key.ic.map(toMclG1),
      native,
      dispose() {
        gammaTable.destroy();
        deltaTable.destroy();
      },
    },
  };
}
