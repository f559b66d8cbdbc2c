import { uniqueViolation } from '#platform/db/statement.ts';
import { newId } from '#platform/ids.ts';
import { findAgentSettlement } from '#modules/x402/find-agent-settlement.ts';
import { getAgent } from './get-agent.ts';
import { isWorkRecordOf } from './find-work-record.ts';
import { onReputationEvent, type ReputationDeps } from './on-reputation-event.ts';
import { CONSTRAINTS, FEEDBACK_COLUMNS, type FeedbackRow } from './tables.ts';

export type FeedbackInput = { score: number; tags: string[]; comment: string; workId: string | undefined; settlementId: string | undefined };
export type FeedbackResult =
  | { ok: true; value: FeedbackRow }
  | { ok: false; code: 'NOT_FOUND' | 'VALIDATION_FAILED' | 'SETTLEMENT_UNKNOWN' | 'CONFLICT'; message: string };

/**
 * Feedback by a partner on a live agent: one live feedback per (partner, work record), per
 * (partner, settlement), and one bare per (partner, agent), by unique indexes. Classified by what
 * backs it (`verified_work` > `settlement` > `bare`) and flagged `self` when the author owns the
 * agent or has an agent of the same controller account. The agent's reputation is updated after.
 */
export async function giveFeedback(
  deps: ReputationDeps,
  clientId: string,
  agentId: string,
  input: FeedbackInput,
): Promise<FeedbackResult> {
  const agent = await getAgent(deps, agentId, 'public');
  if (!agent) return { ok: false, code: 'NOT_FOUND', message: `no agent ${agentId}` };
  if (input.workId !== undefined) {
    if (!(await isWorkRecordOf(deps, input.workId, agentId))) return { ok: false, code: 'VALIDATION_FAILED', message: `body.work_id: no work record ${input.workId} of agent ${agentId}` };
  }
  if (input.settlementId !== undefined) {
    const settlement = await findAgentSettlement(deps, clientId, input.settlementId);
    if (settlement?.agentId !== agentId) return { ok: false, code: 'SETTLEMENT_UNKNOWN', message: `no settlement ${input.settlementId} of yours paying agent ${agentId}` };
  }
  const strength = input.workId !== undefined ? 'verified_work' : input.settlementId !== undefined ? 'settlement' : 'bare';
  try {
    const { rows } = await deps.pool.query<FeedbackRow>(
      `INSERT INTO registry_feedback (id, agent_id, client_id, score, tags, comment, work_id, settlement_id, strength, self, created_at)
       SELECT $1, a.id, $3, $4, $5, $6, $7, $8, $9,
              a.client_id = $3 OR EXISTS (SELECT 1 FROM registry_agents mine WHERE mine.client_id = $3
                                            AND mine.controller_namespace = a.controller_namespace AND mine.controller_key = a.controller_key),
              $10
         FROM registry_agents a WHERE a.id = $2
       RETURNING ${FEEDBACK_COLUMNS}`,
      [newId('fbk'), agentId, clientId, input.score, input.tags, input.comment, input.workId ?? null, input.settlementId ?? null, strength, deps.clock.now()],
    );
    const feedback = rows[0]!;
    await onReputationEvent(deps, { kind: 'feedback', agentId, feedbackId: feedback.id });
    return { ok: true, value: feedback };
  } catch (error) {
    const constraint = uniqueViolation(error);
    if (constraint === CONSTRAINTS.feedbackWork || constraint === CONSTRAINTS.feedbackSettlement || constraint === CONSTRAINTS.feedbackBare) {
      const about = input.workId ?? input.settlementId ?? `agent ${agentId} (without work or settlement)`;
      return { ok: false, code: 'CONFLICT', message: `you gave feedback on ${about} already; revoke it to give another` };
    }
    throw error;
  }
}
