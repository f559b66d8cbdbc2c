import { z } from 'zod';
import { CLAIM_TYPES } from '../credentials/claim-types.ts';
import type { circuitVersions } from '../tables.ts';

/** The downloadable artifacts of a circuit version and the file name each is served under. */
export const ARTIFACT_FILES = {
  wasm: 'circuit.wasm',
  zkey: 'circuit.zkey',
  vkey: 'verification_key.json',
} as const;

export type ArtifactKind = keyof typeof ARTIFACT_FILES;

const ObjectKey = z
  .string()
  .max(512)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._\/-]*$/, 'must be an object key (letters, digits, . _ / -)')
  .refine((key) => !key.split('/').some((part) => part === '..' || part === '.' || part === ''), 'must not contain empty, . or .. segments');

export const SemverSchema = z.string().regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/, 'must be MAJOR.MINOR.PATCH');

/** Seed `CircuitVersionCreate`: the artifacts are object-storage keys, uploaded beforehand. */
export const CircuitVersionCreateSchema = z
  .strictObject({
    claim_type: z.enum(CLAIM_TYPES),
    semver: SemverSchema,
    vkey_s3: ObjectKey,
    wasm_s3: ObjectKey,
    zkey_s3: ObjectKey,
    enabled: z.boolean().default(true),
  })
  .meta({ id: 'CircuitVersionCreate' });

export const CircuitVersionSchema = z
  .object({
    id: z.string(),
    claim_type: z.enum(CLAIM_TYPES),
    semver: z.string(),
    vkey_s3: z.string(),
    wasm_s3: z.string(),
    zkey_s3: z.string(),
    enabled: z.boolean(),
    public_signal_count: z.number().int().nullable(),
    sha256: z.object({ vkey: z.string().nullable(), wasm: z.string().nullable(), zkey: z.string().nullable() }),
    created_at: z.string(),
  })
  .meta({ id: 'CircuitVersion' });

export type CircuitVersion = z.infer<typeof CircuitVersionSchema>;
export type CircuitRow = typeof circuitVersions.$inferSelect;

export function toCircuitVersion(row: CircuitRow): CircuitVersion {
  return {
    id: row.id,
    claim_type: row.claimType as CircuitVersion['claim_type'],
    semver: row.semver,
    vkey_s3: row.vkeyS3,
    wasm_s3: row.wasmS3,
    zkey_s3: row.zkeyS3,
    enabled: row.enabled,
    public_signal_count: row.publicSignalCount,
    sha256: { vkey: row.vkeySha256, wasm: row.wasmSha256, zkey: row.zkeySha256 },
    created_at: row.createdAt.toISOString(),
  };
}

/** What a prover needs: where to fetch each artifact and the hash to check it against. */
export const PublicCircuitSchema = z
  .object({
    claim_type: z.enum(CLAIM_TYPES),
    semver: z.string(),
    public_signal_count: z.number().int().nullable(),
    artifacts: z.record(z.string(), z.object({ url: z.string(), sha256: z.string().nullable() })),
  })
  .meta({ id: 'PublicCircuit' });

export function toPublicCircuit(row: CircuitRow): z.infer<typeof PublicCircuitSchema> {
  const base = `/api/v1/circuits/${row.claimType}/${row.semver}`;
  return {
    claim_type: row.claimType as CircuitVersion['claim_type'],
    semver: row.semver,
    public_signal_count: row.publicSignalCount,
    artifacts: {
      wasm: { url: `${base}/${ARTIFACT_FILES.wasm}`, sha256: row.wasmSha256 },
      zkey: { url: `${base}/${ARTIFACT_FILES.zkey}`, sha256: row.zkeySha256 },
      vkey: { url: `${base}/${ARTIFACT_FILES.vkey}`, sha256: row.vkeySha256 },
    },
  };
}
