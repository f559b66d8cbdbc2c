import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { FEEDBACK_COLUMNS, type FeedbackRow } from './tables.ts';

export type ResponseResult = { ok: true; value: FeedbackRow } | { ok: false; code: 'NOT_FOUND' | 'CONFLICT'; message: string };

const OWNED = 'EXISTS (SELECT 1 FROM registry_agents a WHERE a.id = registry_feedback.agent_id AND a.client_id = $3)';

/** The agent owner's answer to feedback on its agent: once (a response is not edited; the UPDATE's condition decides a race). */
export async function respondToFeedback(deps: { pool: Pool; clock: Clock }, clientId: string, agentId: string, feedbackId: string, response: string): Promise<ResponseResult> {
  const { rows } = await deps.pool.query<FeedbackRow>(
    `UPDATE registry_feedback SET response = $4, responded_at = $5
      WHERE id = $1 AND agent_id = $2 AND response IS NULL AND ${OWNED} RETURNING ${FEEDBACK_COLUMNS}`,
    [feedbackId, agentId, clientId, response, deps.clock.now()],
  );
  if (rows[0]) return { ok: true, value: rows[0] };
  const existing = await deps.pool.query(`SELECT 1 FROM registry_feedback WHERE id = $1 AND agent_id = $2 AND ${OWNED}`, [feedbackId, agentId, clientId]);
  return existing.rowCount === 0
    ? { ok: false, code: 'NOT_FOUND', message: `no feedback ${feedbackId} on your agent ${agentId}` }
    : { ok: false, code: 'CONFLICT', message: `feedback ${feedbackId} has a response already` };
}
