import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { canonicalHex, toOsImageReference, type OsImageReference } from './register-os-image.ts';
import { attestationOsImages } from './tables.ts';

/**
 * Stops trusting a dstack OS image: its reference measurements are deleted, so the `os` check of
 * later tasks booted from it fails as for any unregistered image. Finished tasks keep their
 * verdict. Undefined when no reference has that hash.
 */
export async function removeOsImage(deps: { pool: Pool; clock: Clock }, osImageHash: string, actor: AuditActor): Promise<OsImageReference | undefined> {
  const now = deps.clock.now();
  return inTransaction(deps.pool, async (tx) => {
    const db = drizzle({ client: tx });
    const [removed] = await db.delete(attestationOsImages).where(eq(attestationOsImages.osImageHash, canonicalHex(osImageHash))).returning();
    if (!removed) return undefined;
    await recordAudit(db, actor, { action: 'attestation_os_image.removed', targetType: 'attestation_os_image', targetId: removed.osImageHash, details: { label: removed.label } }, now);
    return toOsImageReference(removed);
  });
}
