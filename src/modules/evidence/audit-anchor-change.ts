import { drizzle } from 'drizzle-orm/node-postgres';
import type { PoolClient } from '#platform/db/pool.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import type { AnchorSet, TrustAnchorRow } from './tables.ts';

/** One audit row per anchor added to or removed from a set, in the transaction of the change: who trusts what, and since when. */
export async function auditAnchorChange(tx: PoolClient, actor: AuditActor, set: AnchorSet, change: { action: 'added' | 'removed'; row: TrustAnchorRow }, at: Date): Promise<void> {
  const { row } = change;
  await recordAudit(drizzle({ client: tx }), actor, {
    action: `evidence_trust_anchor.${change.action}`,
    targetType: 'evidence_trust_anchor',
    targetId: row.id,
    details: { role: set.role, client_id: set.clientId, kind: row.kind, sha256_fingerprint: row.sha256Fingerprint, subject: row.subject, issuer: row.issuer },
  }, at);
}
