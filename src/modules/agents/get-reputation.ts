import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import { getAgent } from './get-agent.ts';
import { evaluate, type Evaluation, type ReputationSettings } from './reputation-model.ts';
import { countItems, currentSums, type ComponentCounts } from './reputation-store.ts';
import type { RegistryAgentRow } from './tables.ts';

/** Days of daily history a reputation answer carries. */
export const HISTORY_DAYS = 365;

export type ReputationCounts = { work: number; validations: number; feedback: number; feedback_self: number; feedback_revoked: number };
export type DailyReputation = { day: string; score: number | null; confidence: number; mass: number };
export type AgentReputation = {
  agent: RegistryAgentRow;
  asOf: Date;
  evaluation: Evaluation;
  itemCounts: ComponentCounts;
  counts: ReputationCounts;
  history: DailyReputation[];
};

/**
 * A live agent's reputation as of now: the stored sums decayed to now (the stored `score` of the
 * agent is as of its last event), what made it per component, the events counted, and the daily
 * history (each day as of its last event) of the last HISTORY_DAYS days.
 */
export async function getReputation(deps: { pool: Pool; clock: Clock; reputation: ReputationSettings }, agentId: string): Promise<AgentReputation | undefined> {
  const agent = await getAgent(deps, agentId, 'public');
  if (!agent) return undefined;
  const now = deps.clock.now();
  const [sums, itemCounts, counts, history] = await Promise.all([
    currentSums(deps.pool, agentId, now, deps.reputation),
    countItems(deps.pool, agentId),
    deps.pool.query<ReputationCounts>(
      `SELECT (SELECT count(*)::int FROM registry_work WHERE agent_id = $1) AS work,
              (SELECT count(*)::int FROM registry_validations WHERE agent_id = $1) AS validations,
              (SELECT count(*)::int FROM registry_feedback WHERE agent_id = $1 AND revoked_at IS NULL AND NOT self) AS feedback,
              (SELECT count(*)::int FROM registry_feedback WHERE agent_id = $1 AND revoked_at IS NULL AND self) AS feedback_self,
              (SELECT count(*)::int FROM registry_feedback WHERE agent_id = $1 AND revoked_at IS NOT NULL) AS feedback_revoked`,
      [agentId],
    ),
    deps.pool.query<DailyReputation>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, score, confidence, mass FROM registry_reputation_daily
        WHERE agent_id = $1 AND day > ($2::timestamptz AT TIME ZONE 'UTC')::date - $3::int ORDER BY day`,
      [agentId, now, HISTORY_DAYS],
    ),
  ]);
  return { agent, asOf: now, evaluation: evaluate(sums), itemCounts, counts: counts.rows[0]!, history: history.rows };
}
