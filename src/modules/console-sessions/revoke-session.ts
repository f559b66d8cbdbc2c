import type { Clock } from '#platform/clock.ts';
import type { Queryable, RevokedReason } from './session-row.ts';

/** Whose sessions a caller may end: the operator's sessions, or one partner's. */
export type SessionScope = { role: 'operator' } | { role: 'partner'; clientId: string };

export function scopeCondition(scope: SessionScope, parameter: number): { sql: string; value: string } {
  return scope.role === 'operator' ? { sql: `s.role = $${parameter}`, value: 'operator' } : { sql: `s.client_id = $${parameter}`, value: scope.clientId };
}

/** Ends a live session (within `scope` when given); false when there is none such. */
export async function revokeSession(deps: { clock: Clock }, db: Queryable, sessionId: string, reason: RevokedReason, scope?: SessionScope): Promise<boolean> {
  const within = scope ? scopeCondition(scope, 4) : undefined;
  const { rowCount } = await db.query(
    `UPDATE console_sessions s SET revoked_at = $2, revoked_reason = $3 WHERE s.id = $1 AND s.revoked_at IS NULL${within ? ` AND ${within.sql}` : ''}`,
    [sessionId, deps.clock.now(), reason, ...(within ? [within.value] : [])],
  );
  return (rowCount ?? 0) > 0;
}
