import { eq } from 'drizzle-orm';
import type { Clock } from '#platform/clock.ts';
import type { Db } from '#platform/db/database.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { circuitVersions } from '../tables.ts';
import { toCircuitVersion, type CircuitVersion } from './schema.ts';

export async function setCircuitEnabled(deps: { db: Db; clock: Clock }, id: string, enabled: boolean, actor: AuditActor): Promise<CircuitVersion | undefined> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [row] = await tx.update(circuitVersions).set({ enabled }).where(eq(circuitVersions.id, id)).returning();
    if (row) await recordAudit(tx, actor, { action: enabled ? 'circuit.enabled' : 'circuit.disabled', targetType: 'circuit_version', targetId: id }, now);
    return row ? toCircuitVersion(row) : undefined;
  });
}
