import type { z } from 'zod';
import type { Clock } from '#platform/clock.ts';
import type { Db } from '#platform/db/database.ts';
import { newId } from '#platform/ids.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { parseVerificationKey } from '../groth16/parse-verification-key.ts';
import { circuitVersions } from '../tables.ts';
import { toCircuitVersion, type CircuitVersion, type CircuitVersionCreateSchema } from './schema.ts';
import { createHash } from 'node:crypto';

export type RegisterCircuitResult =
  | { ok: true; circuit: CircuitVersion }
  | { ok: false; code: 'ARTIFACT_MISSING' | 'INVALID_VERIFICATION_KEY' | 'ALREADY_REGISTERED'; message: string };

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * Registers a circuit version whose artifacts are already in object storage. The verification
 * key is parsed and checked (curve points, subgroups) now, so a broken key never goes live.
 */
export async function registerCircuit(
  deps: { db: Db; clock: Clock; storage: ObjectStorage },
  input: z.infer<typeof CircuitVersionCreateSchema>,
  actor: AuditActor,
): Promise<RegisterCircuitResult> {
  const artifacts: Record<'vkey' | 'wasm' | 'zkey', Buffer> = { vkey: Buffer.alloc(0), wasm: Buffer.alloc(0), zkey: Buffer.alloc(0) };
  for (const kind of ['vkey', 'wasm', 'zkey'] as const) {
    const key = input[`${kind}_s3`];
    const bytes = await deps.storage.get(key);
    if (!bytes) return { ok: false, code: 'ARTIFACT_MISSING', message: `no object ${key} in storage (${kind}_s3); upload it first` };
    artifacts[kind] = bytes;
  }
  let vkeyJson: unknown;
  try {
    vkeyJson = JSON.parse(artifacts.vkey.toString('utf8'));
  } catch {
    return { ok: false, code: 'INVALID_VERIFICATION_KEY', message: 'vkey_s3 is not JSON' };
  }
  const parsed = parseVerificationKey(vkeyJson);
  if (!parsed.ok) return { ok: false, code: 'INVALID_VERIFICATION_KEY', message: parsed.message };

  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(circuitVersions)
      .values({
        id: newId('cir'),
        claimType: input.claim_type,
        semver: input.semver,
        vkeyS3: input.vkey_s3,
        wasmS3: input.wasm_s3,
        zkeyS3: input.zkey_s3,
        vkeySha256: sha256(artifacts.vkey),
        wasmSha256: sha256(artifacts.wasm),
        zkeySha256: sha256(artifacts.zkey),
        publicSignalCount: parsed.value.nPublic,
        enabled: input.enabled,
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) return { ok: false, code: 'ALREADY_REGISTERED', message: `${input.claim_type} ${input.semver} is already registered` } as const;
    await recordAudit(tx, actor, { action: 'circuit.registered', targetType: 'circuit_version', targetId: row.id, details: { claim_type: input.claim_type, semver: input.semver, enabled: input.enabled } }, now);
    return { ok: true, circuit: toCircuitVersion(row) } as const;
  });
}
