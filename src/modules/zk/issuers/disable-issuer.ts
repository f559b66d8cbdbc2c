import { eq, sql } from 'drizzle-orm';
import type { Clock } from '#platform/clock.ts';
import type { Db } from '#platform/db/database.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import { issuers } from '../tables.ts';
import { toIssuer, type Issuer } from './schema.ts';

export async function disableIssuer(deps: { db: Db; clock: Clock }, id: string, actor: AuditActor): Promise<Issuer | undefined> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(issuers)
      .set({ disabledAt: sql`coalesce(${issuers.disabledAt}, ${now.toISOString()}::timestamptz)` })
      .where(eq(issuers.id, id))
      .returning();
    if (row) await recordAudit(tx, actor, { action: 'issuer.disabled', targetType: 'issuer', targetId: id }, now);
    return row ? toIssuer(row) : undefined;
  });
}

