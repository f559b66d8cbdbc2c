import mcl, { type G1, type GT, type PrecomputedG2 } from 'mcl-wasm';
import { assertMclReady, isInG2Subgroup, toMclG1, toMclG2 } from './mcl-bn254.ts';
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
  /** Frees the precomputed tables (wasm memory outside the JS heap). */
  dispose(): void;
};

/** Needs `await initMcl()` in this thread first. */
export function prepareVerificationKey(key: ParsedVerificationKey): Groth16Result<PreparedVerificationKey> {
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
  return {
    ok: true,
    value: {
      nPublic: key.nPublic,
      alphaBeta: mcl.pairing(toMclG1(key.alpha), beta),
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
