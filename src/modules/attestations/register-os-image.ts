import { drizzle } from 'drizzle-orm/node-postgres';
import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { attestationOsImages, type AttestationOsImageRow } from './tables.ts';

export type OsImageReference = {
  os_image_hash: string;
  label: string | null;
  mr_td: string;
  rt_mr0: string;
  rt_mr1: string;
  rt_mr2: string;
  updated_at: string;
};

export type OsImageInput = { label?: string | undefined; mr_td: string; rt_mr0: string; rt_mr1: string; rt_mr2: string };

/** Hex as stored and compared: no 0x prefix, lower case. */
export const canonicalHex = (value: string) => value.trim().replace(/^0x/i, '').toLowerCase();

/**
 * Registers (or replaces) the reference boot measurements of a dstack OS image: what MRTD and
 * RTMR0..2 must be for a TD booted from it (computed offline, e.g. with dstack-mr). The `os`
 * verification flag compares quotes against these.
 */
export async function registerOsImage(deps: { pool: Pool; clock: Clock }, osImageHash: string, input: OsImageInput, actor: AuditActor): Promise<OsImageReference> {
  const now = deps.clock.now();
  const row = {
    osImageHash: canonicalHex(osImageHash),
    label: input.label ?? null,
    mrTd: canonicalHex(input.mr_td),
    rtMr0: canonicalHex(input.rt_mr0),
    rtMr1: canonicalHex(input.rt_mr1),
    rtMr2: canonicalHex(input.rt_mr2),
    updatedAt: now,
  };
  await inTransaction(deps.pool, async (tx) => {
    const db = drizzle({ client: tx });
    const { osImageHash: _key, ...changes } = row;
    await db.insert(attestationOsImages).values(row).onConflictDoUpdate({ target: attestationOsImages.osImageHash, set: changes });
    await recordAudit(db, actor, { action: 'attestation_os_image.registered', targetType: 'attestation_os_image', targetId: row.osImageHash, details: { label: row.label } }, now);
  });
  return toOsImageReference(row);
}

export function toOsImageReference(row: AttestationOsImageRow): OsImageReference {
  return {
    os_image_hash: row.osImageHash,
    label: row.label,
    mr_td: row.mrTd,
    rt_mr0: row.rtMr0,
    rt_mr1: row.rtMr1,
    rt_mr2: row.rtMr2,
    updated_at: row.updatedAt.toISOString(),
  };
}
