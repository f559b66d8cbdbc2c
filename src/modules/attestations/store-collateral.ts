import { drizzle } from 'drizzle-orm/node-postgres';
import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { parseTcbInfoJson, prepareCollateral } from './verification/index.ts';
import type { PrepareCollateralFailureCode } from './verification/index.ts';
import { attestationCollateral, type AttestationCollateralRow } from './tables.ts';

export type StoredCollateral = {
  tee: 'tdx' | 'sgx';
  fmspc: string;
  pck_ca: 'processor' | 'platform';
  digest: string;
  valid_from: string;
  valid_until: string;
  tcb_info_issue_date: string | null;
  tcb_info_next_update: string | null;
  source: 'upload' | 'pccs';
  updated_at: string;
};

export type StoreCollateralResult =
  | { ok: true; stored: StoredCollateral; collateral: Record<string, unknown> }
  | { ok: false; code: PrepareCollateralFailureCode; message: string };

/**
 * Validates Intel collateral (structure, chains to Intel's root, signatures, CRLs) and keeps it
 * as the collateral of its platform (TEE, FMSPC, PCK CA), replacing the previous one. It is
 * stored normalised (binary items as hex), as dcap-qvl takes it. Being outside its validity
 * window is no reason to refuse it: that is judged at each verification, at the task's time.
 */
export async function storeCollateral(
  deps: { pool: Pool; clock: Clock },
  input: { raw: unknown; fmspc?: string; source: 'upload' | 'pccs' },
  actor?: AuditActor,
): Promise<StoreCollateralResult> {
  const prepared = prepareCollateral(input.raw);
  if (!prepared.ok) return prepared;
  const collateral = prepared.value;
  if (input.fmspc !== undefined && collateral.fmspc !== input.fmspc.toLowerCase()) {
    return { ok: false, code: 'COLLATERAL_MISMATCH', message: `the collateral is for FMSPC ${collateral.fmspc}, not ${input.fmspc.toLowerCase()}` };
  }
  const now = deps.clock.now();
  const row = {
    tee: collateral.tee,
    fmspc: collateral.fmspc,
    pckCa: collateral.pckCa,
    collateral: { ...collateral.dcapCollateral } as Record<string, unknown>,
    digest: collateral.digest,
    validFrom: new Date(Math.max(...collateral.windows.map((window) => window.notBefore.getTime()))),
    validUntil: new Date(Math.min(...collateral.windows.map((window) => window.notAfter.getTime()))),
    source: input.source,
    updatedAt: now,
  };
  await inTransaction(deps.pool, async (tx) => {
    const db = drizzle({ client: tx });
    await db
      .insert(attestationCollateral)
      .values(row)
      .onConflictDoUpdate({
        target: [attestationCollateral.tee, attestationCollateral.fmspc, attestationCollateral.pckCa],
        set: { collateral: row.collateral, digest: row.digest, validFrom: row.validFrom, validUntil: row.validUntil, source: row.source, updatedAt: now },
      });
    if (actor) {
      await recordAudit(db, actor, {
        action: 'attestation_collateral.stored',
        targetType: 'attestation_collateral',
        targetId: `${row.tee}:${row.fmspc}:${row.pckCa}`,
        details: { digest: row.digest, valid_from: row.validFrom.toISOString(), valid_until: row.validUntil.toISOString() },
      }, now);
    }
  });
  return { ok: true, stored: toStoredCollateral(row), collateral: row.collateral };
}

export function toStoredCollateral(row: AttestationCollateralRow): StoredCollateral {
  // Read back from the stored collateral (checked when stored, so it parses): no column to keep in step.
  const tcbInfo = typeof row.collateral.tcb_info === 'string' ? parseTcbInfoJson(row.collateral.tcb_info) : undefined;
  return {
    tee: row.tee as StoredCollateral['tee'],
    fmspc: row.fmspc,
    pck_ca: row.pckCa as StoredCollateral['pck_ca'],
    digest: row.digest,
    valid_from: row.validFrom.toISOString(),
    valid_until: row.validUntil.toISOString(),
    tcb_info_issue_date: tcbInfo?.ok ? tcbInfo.value.issueDate.toISOString() : null,
    tcb_info_next_update: tcbInfo?.ok ? tcbInfo.value.nextUpdate.toISOString() : null,
    source: row.source as StoredCollateral['source'],
    updated_at: row.updatedAt.toISOString(),
  };
}
