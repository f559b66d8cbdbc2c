import { newId } from '#platform/ids.ts';
import type { Db } from '#platform/db/database.ts';
import type { Statement } from '#platform/db/statement.ts';
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

type AuditRecord = { actor: AuditActor; entry: AuditEntry; at: Date };

function auditRows(records: readonly AuditRecord[]) {
  return records.map(({ actor, entry, at }) => ({
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
  }));
}

/** Appends several audit rows in one statement (a group commit of many requests' changes). */
export async function recordAudits(db: Db, records: readonly AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  await db.insert(auditLogs).values(auditRows(records));
}

/** recordAudits as a statement, for a caller that composes its writes into one (see composeStatements). */
export function auditsStatement(records: readonly AuditRecord[]): Statement {
  const rows = auditRows(records);
  return {
    name: 'audit-record-audits',
    text: `INSERT INTO audit_logs (id, actor_type, actor_id, action, target_type, target_id, details, ip, request_id, at)
           SELECT id, actor_type, actor_id, action, target_type, target_id, details::jsonb, ip::inet, request_id, at
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
             AS audit (id, actor_type, actor_id, action, target_type, target_id, details, ip, request_id, at)`,
    values: [
      rows.map((row) => row.id),
      rows.map((row) => row.actorType),
      rows.map((row) => row.actorId),
      rows.map((row) => row.action),
      rows.map((row) => row.targetType),
      rows.map((row) => row.targetId),
      rows.map((row) => JSON.stringify(row.details)),
      rows.map((row) => row.ip),
      rows.map((row) => row.requestId),
      rows.map((row) => row.at),
    ],
  };
}

export const CLI_ACTOR: AuditActor = { type: 'cli', id: null, ip: null, requestId: null };
