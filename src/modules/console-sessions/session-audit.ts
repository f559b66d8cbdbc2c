import { drizzle } from 'drizzle-orm/node-postgres';
import type { PoolClient } from '#platform/db/pool.ts';
import { recordAudit, type AuditActor } from '#modules/audit/record-audit.ts';
import type { SessionActor } from './check-session-credential.ts';

/** Who acts in a session, for the audit log: the operator (its admin token, else the session itself) or the partner. */
export function sessionAuditActor(sessionId: string, actor: SessionActor, request: { ip: string; requestId: string }): AuditActor {
  return actor.role === 'operator'
    ? { type: 'admin', id: actor.adminTokenId ?? sessionId, ip: request.ip, requestId: request.requestId }
    : { type: 'partner', id: actor.client.id, ip: request.ip, requestId: request.requestId };
}

/** One audit row about a console session, in the caller's transaction. */
export async function auditSession(tx: PoolClient, actor: AuditActor, action: string, sessionId: string, at: Date, details?: Record<string, unknown>): Promise<void> {
  await recordAudit(drizzle({ client: tx }), actor, { action, targetType: 'console_session', targetId: sessionId, ...(details ? { details } : {}) }, at);
}
