import { onReputationEvent, type ReputationDeps } from './on-reputation-event.ts';
import { FEEDBACK_COLUMNS, type FeedbackRow } from './tables.ts';

/** Revokes the partner's own feedback on the agent (again: the feedback as it is), removing it from the reputation; another's or an unknown one: undefined. */
export async function revokeFeedback(deps: ReputationDeps, clientId: string, agentId: string, feedbackId: string): Promise<FeedbackRow | undefined> {
  const { rows } = await deps.pool.query<FeedbackRow>(
    `UPDATE registry_feedback SET revoked_at = coalesce(revoked_at, $4) WHERE id = $1 AND agent_id = $2 AND client_id = $3 RETURNING ${FEEDBACK_COLUMNS}`,
    [feedbackId, agentId, clientId, deps.clock.now()],
  );
  const feedback = rows[0];
  if (feedback) await onReputationEvent(deps, { kind: 'feedback', agentId, feedbackId: feedback.id });
  return feedback;
}
