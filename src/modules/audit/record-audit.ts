import { newId } from '#platform/ids.ts';
import type { Db } from '#platform/db/database.ts';
import { auditLogs } from './tables.ts';

export type AuditActor =
  | { type: 'admin'; id: string | null; ip: string | null; requestId: string | null }
  | { type: 'partner'; id: string; ip: string | null; requestId: string | null }
  | { type: 'cli' | 'system'; id: null; ip: null; requestId: null };

export type AuditEntry = {
  action: string;
  targetType: string;
  targetId: string;
  /** Never secrets: callers pass the changed field names and non-secret values only. */
  details?: Record<string, unknown>;
};

/** Appends one audit row; pass a transaction so the row commits with the change it records. */
export async function recordAudit(db: Db, actor: AuditActor, entry: AuditEntry, at: Date): Promise<void> {
  await recordAudits(db, [{ actor, entry, at }]);
}

/** Appends several audit rows in one statement (a group commit of many requests' changes). */
export async function recordAudits(db: Db, records: readonly { actor: AuditActor; entry: AuditEntry; at: Date }[]): Promise<void> {
  if (records.length === 0) return;
  await db.insert(auditLogs).values(
    records.map(({ actor, entry, at }) => ({
      id: newId('aud'),
      actorType: actor.type,
      actorId: actor.id,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      details: entry.details ?? {},
      ip: actor.ip,
      requestId: actor.requestId,
      at,
    })),
  );
}

export const CLI_ACTOR: AuditActor = { type: 'cli', id: null, ip: null, requestId: null };
