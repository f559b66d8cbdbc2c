import { fileURLToPath } from 'node:url';
import type { ClaimType } from './claim-types.ts';

/** circuits/artifacts, built by circuits/build.ts (development artifacts, see circuits/README.md). */
export const CIRCUIT_ARTIFACTS_DIR = fileURLToPath(new URL('../../../../circuits/artifacts/', import.meta.url));

export type CircuitArtifactPaths = { wasm: string; zkey: string; verificationKey: string };

export function circuitArtifactPaths(claimType: ClaimType, artifactsDir: string = CIRCUIT_ARTIFACTS_DIR): CircuitArtifactPaths {
  const dir = `${artifactsDir.replace(/\/$/, '')}/${claimType}`;
  return {
    wasm: `${dir}/${claimType}.wasm`,
    zkey: `${dir}/${claimType}.zkey`,
    verificationKey: `${dir}/verification_key.json`,
  };
}
