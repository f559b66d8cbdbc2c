import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { FEEDBACK_COLUMNS, type FeedbackRow } from './tables.ts';

/** Revokes the partner's own feedback on the agent (again: the feedback as it is); another's or an unknown one: undefined. */
export async function revokeFeedback(deps: { pool: Pool; clock: Clock }, clientId: string, agentId: string, feedbackId: string): Promise<FeedbackRow | undefined> {
  const { rows } = await deps.pool.query<FeedbackRow>(
    `UPDATE registry_feedback SET revoked_at = coalesce(revoked_at, $4) WHERE id = $1 AND agent_id = $2 AND client_id = $3 RETURNING ${FEEDBACK_COLUMNS}`,
    [feedbackId, agentId, clientId, deps.clock.now()],
  );
  return rows[0];
}
