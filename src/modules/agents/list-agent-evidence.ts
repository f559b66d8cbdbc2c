import type { Pool } from '#platform/db/pool.ts';
import { FEEDBACK_COLUMNS, VALIDATION_COLUMNS, WORK_COLUMNS, type FeedbackRow, type ValidationRow, type WorkRecordRow } from './tables.ts';

export type AgentEvidence = { work: WorkRecordRow[]; validations: ValidationRow[]; feedback: FeedbackRow[] };

/**
 * Everything the reputation model weighs for an agent, changed at or after `since` (all of it
 * without): work records (outcome, evidence kind, when verified and recorded), validations (which
 * validator, `verified`), and feedback (strength, `self`, revoked ones too, so a revocation is an
 * event). Oldest first, as events are applied.
 */
export async function listAgentEvidence(deps: { pool: Pool }, agentId: string, since?: Date): Promise<AgentEvidence> {
  const from = since ?? new Date(0);
  const [work, validations, feedback] = await Promise.all([
    deps.pool.query<WorkRecordRow>(`SELECT ${WORK_COLUMNS} FROM registry_work WHERE agent_id = $1 AND recorded_at >= $2 ORDER BY seq`, [agentId, from]),
    deps.pool.query<ValidationRow>(`SELECT ${VALIDATION_COLUMNS} FROM registry_validations WHERE agent_id = $1 AND created_at >= $2 ORDER BY created_at, id`, [agentId, from]),
    deps.pool.query<FeedbackRow>(
      `SELECT ${FEEDBACK_COLUMNS} FROM registry_feedback WHERE agent_id = $1 AND (created_at >= $2 OR revoked_at >= $2) ORDER BY created_at, id`,
      [agentId, from],
    ),
  ]);
  return { work: work.rows, validations: validations.rows, feedback: feedback.rows };
}
