import { readFile } from 'node:fs/promises';
import type { Clock } from '#platform/clock.ts';
import type { Db } from '#platform/db/database.ts';
import type { Logger } from '#platform/logger.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { circuitArtifactPaths } from '../credentials/artifact-paths.ts';
import { CLAIM_TYPES } from '../credentials/claim-types.ts';
import { findCircuit } from './find-circuits.ts';
import { registerCircuit } from './register-circuit.ts';
import { ARTIFACT_FILES } from './schema.ts';

export const BUNDLED_SEMVER = '1.0.0';

/**
 * First start: copy the circuits shipped in `circuits/artifacts` into object storage and
 * register them as version 1.0.0. Idempotent; an operator's own 1.0.0 is left alone.
 */
export async function registerBundledCircuits(deps: { db: Db; clock: Clock; storage: ObjectStorage; log: Logger }): Promise<string[]> {
  const registered: string[] = [];
  for (const claimType of CLAIM_TYPES) {
    if (await findCircuit(deps, claimType, BUNDLED_SEMVER)) continue;
    const paths = circuitArtifactPaths(claimType);
    const prefix = `circuits/${claimType}/${BUNDLED_SEMVER}`;
    const files = { vkey: paths.verificationKey, wasm: paths.wasm, zkey: paths.zkey } as const;
    for (const kind of ['vkey', 'wasm', 'zkey'] as const) {
      const contentType = kind === 'vkey' ? 'application/json' : 'application/octet-stream';
      await deps.storage.put(`${prefix}/${ARTIFACT_FILES[kind]}`, await readFile(files[kind]), contentType);
    }
    const result = await registerCircuit(
      deps,
      {
        claim_type: claimType,
        semver: BUNDLED_SEMVER,
        vkey_s3: `${prefix}/${ARTIFACT_FILES.vkey}`,
        wasm_s3: `${prefix}/${ARTIFACT_FILES.wasm}`,
        zkey_s3: `${prefix}/${ARTIFACT_FILES.zkey}`,
        enabled: true,
      },
      { type: 'system', id: null, ip: null, requestId: null },
    );
    if (result.ok) registered.push(`${claimType}@${BUNDLED_SEMVER}`);
    else if (result.code !== 'ALREADY_REGISTERED') deps.log.error({ claimType, result }, 'could not register a bundled circuit');
  }
  return registered;
}
