import mcl, { type G1, type GT, type PrecomputedG2 } from 'mcl-wasm';
import { negateG1, negateG2, type G2Affine } from './bn254.ts';
import { assertMclReady, isInG2Subgroup, toMclG1, toMclG2 } from './mcl-bn254.ts';
import { g1Bytes, g2Bytes, nativePairing, PAIR_BYTES, type NativePairing } from './native-pairing.ts';
import { groth16Failure, type Groth16Result, type ParsedVerificationKey } from './types.ts';

/**
 * A verification key with everything that does not depend on the proof computed once, for the
 * arithmetic that will verify under it: the native addon's where it was built, else mcl-wasm's.
 */
export type PreparedVerificationKey = NativeKey | MclKey;

/** The key as the addon's product check takes it. */
export type NativeKey = {
  readonly kind: 'native';
  readonly nPublic: number;
  readonly pairing: NativePairing;
  /** The Miller loop of (-alpha, beta), a factor of every product check. */
  readonly negAlphaBetaLoop: Uint8Array;
  /** The precomputed lines of -gamma and -delta, one after the other: the fixed pairs of every product check. */
  readonly negGammaDeltaLines: Uint8Array;
  /** Those followed by the lines of -beta: for a check whose weights do not sum to 1 (alpha then weighted as a fixed pair). */
  readonly negGammaDeltaBetaLines: Uint8Array;
  /** alpha (g1Bytes), to be weighted for such a check. */
  readonly alpha: Uint8Array;
  /** IC[0..nPublic] for the multi-scalar multiplication with [1, ...signals]. */
  readonly ic: Uint8Array;
  dispose(): void;
};

export type MclKey = {
  readonly kind: 'mcl';
  readonly nPublic: number;
  /** e(alpha, beta), so a verification needs no pairing with the key's alpha and beta. */
  readonly alphaBeta: GT;
  /** Line coefficients of gamma and delta for mcl's precomputed Miller loops. */
  readonly gamma: PrecomputedG2;
  readonly delta: PrecomputedG2;
  /** IC[0..nPublic], ready for a multi-scalar multiplication with [1, ...signals]. */
  readonly ic: readonly G1[];
  /** Frees the precomputed tables (wasm memory outside the JS heap). */
  dispose(): void;
};

export type Arithmetic = 'auto' | 'wasm';

/**
 * Whether keys prepared with `arithmetic` in this thread need `await initMcl()` first: only
 * mcl-wasm's, which also serves where the addon was not built. A thread that never initialises
 * mcl saves its wasm instance (several MB per thread).
 */
export function needsMcl(arithmetic: Arithmetic = 'auto'): boolean {
  return arithmetic === 'wasm' || nativePairing() === undefined;
}

const G2_POINTS = ['beta', 'gamma', 'delta'] as const;

function g2NotInSubgroup(label: (typeof G2_POINTS)[number]) {
  return groth16Failure('POINT_NOT_IN_SUBGROUP', `vk_${label}_2: not in the order-r subgroup of G2`);
}

/** `arithmetic`: 'auto' uses the native addon when it was built, 'wasm' always mcl's (tests check both against snarkjs). */
export function prepareVerificationKey(key: ParsedVerificationKey, options: { arithmetic?: Arithmetic } = {}): Groth16Result<PreparedVerificationKey> {
  const pairing = options.arithmetic === 'wasm' ? undefined : nativePairing();
  return pairing ? prepareNativeKey(key, pairing) : prepareMclKey(key);
}

function prepareNativeKey(key: ParsedVerificationKey, pairing: NativePairing): Groth16Result<NativeKey> {
  for (const label of G2_POINTS) {
    if (!pairing.inG2Subgroup(g2Bytes(key[label]))) return g2NotInSubgroup(label);
  }
  const negAlphaBeta = new Uint8Array(PAIR_BYTES);
  negAlphaBeta.set(g1Bytes([negateG1(key.alpha)]), 0);
  negAlphaBeta.set(g2Bytes(key.beta), 64);
  const lines = (point: G2Affine) => pairing.precomputeLines(g2Bytes(negateG2(point)));
  const negGammaDeltaBetaLines = Buffer.concat([lines(key.gamma), lines(key.delta), lines(key.beta)]);
  return {
    ok: true,
    value: {
      kind: 'native',
      nPublic: key.nPublic,
      pairing,
      negAlphaBetaLoop: pairing.millerLoop(negAlphaBeta),
      negGammaDeltaLines: negGammaDeltaBetaLines.subarray(0, (negGammaDeltaBetaLines.length / 3) * 2),
      negGammaDeltaBetaLines,
      alpha: g1Bytes([key.alpha]),
      ic: g1Bytes(key.ic),
      dispose() {}, // plain bytes: the garbage collector frees them
    },
  };
}

function prepareMclKey(key: ParsedVerificationKey): Groth16Result<MclKey> {
  assertMclReady();
  const points = { beta: toMclG2(key.beta), gamma: toMclG2(key.gamma), delta: toMclG2(key.delta) };
  for (const label of G2_POINTS) {
    if (!isInG2Subgroup(points[label])) return g2NotInSubgroup(label);
  }
  const gammaTable = new mcl.PrecomputedG2(points.gamma);
  const deltaTable = new mcl.PrecomputedG2(points.delta);
  return {
    ok: true,
    value: {
      kind: 'mcl',
      nPublic: key.nPublic,
      alphaBeta: mcl.pairing(toMclG1(key.alpha), points.beta),
      gamma: gammaTable,
      delta: deltaTable,
      ic: key.ic.map(toMclG1),
      dispose() {
        gammaTable.destroy();
        deltaTable.destroy();
      },
    },
  };
}
