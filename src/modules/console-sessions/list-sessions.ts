import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { scopeCondition, type SessionScope } from './revoke-session.ts';
import { SESSION_COLUMNS, type SessionRow } from './session-row.ts';

/** Most sessions a list shows (the most recently used first). */
export const SESSION_LIST_LIMIT = 200;

/** The live sessions (not revoked, refresh not expired) of the operator, or of one partner. */
export async function listSessions(deps: { pool: Pool; clock: Clock }, scope: SessionScope): Promise<SessionRow[]> {
  const within = scopeCondition(scope, 2);
  const { rows } = await deps.pool.query<SessionRow>(
    `SELECT ${SESSION_COLUMNS} FROM console_sessions s
      WHERE s.revoked_at IS NULL AND s.refresh_expires_at > $1 AND ${within.sql}
      ORDER BY s.last_used_at DESC, s.id DESC LIMIT ${SESSION_LIST_LIMIT}`,
    [deps.clock.now(), within.value],
  );
  return rows;
}
