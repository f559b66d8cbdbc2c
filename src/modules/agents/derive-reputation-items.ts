import type { PoolClient } from '#platform/db/pool.ts';
import { listAgentSettlements, type AgentSettlementFacts } from '#modules/x402/list-agent-settlements.ts';
import {
  feedbackItem,
  settlementCounts,
  validationItem,
  workItem,
  type AgentSelf,
  type FeedbackFacts,
  type ReputationItem,
  type ReputationSettings,
} from './reputation-model.ts';

type Db = Pick<PoolClient, 'query'>;

/** Which events' items to derive: some work records (with their validations) and feedback, or all of the agent's. */
export type ReputationSubjects = { workIds: string[]; feedbackIds: string[] } | 'all';

export type DerivedItems = {
  items: ReputationItem[];
  /** Every subject considered (`wrk_`, `val_`, `fbk_`): a stored item of one of these that is not in `items` is removed. */
  subjectIds: string[];
};

async function agentSelf(db: Db, agentId: string): Promise<AgentSelf | undefined> {
  const { rows } = await db.query<{ namespace: 'eip155' | 'solana'; did: string; clients: string[] }>(
    `SELECT a.controller_namespace AS namespace, a.controller_did AS did,
            array(SELECT DISTINCT mine.client_id FROM registry_agents mine
                   WHERE mine.controller_namespace = a.controller_namespace AND mine.controller_key = a.controller_key) || a.client_id AS clients
       FROM registry_agents a WHERE a.id = $1`,
    [agentId],
  );
  const row = rows[0];
  return row && { controllerNamespace: row.namespace, controllerAddress: row.did.split(':').at(-1)!, clients: new Set(row.clients) };
}

/**
 * The reputation items of an agent's events, from the stored events alone (work records,
 * validations, feedback, and the x402 module's settlements): the same code serves an event's
 * incremental update and the full recomputation.
 */
export async function deriveReputationItems(db: Db, agentId: string, settings: ReputationSettings, subjects: ReputationSubjects): Promise<DerivedItems> {
  const self = await agentSelf(db, agentId);
  if (!self) return { items: [], subjectIds: [] };
  const all = subjects === 'all';
  const workFilter = all ? '' : 'AND w.id = ANY($2::text[])';
  const work = await db.query<{ id: string; outcome: 'succeeded' | 'failed'; recordedAt: Date }>(
    `SELECT w.id, w.outcome, w.recorded_at AS "recordedAt" FROM registry_work w WHERE w.agent_id = $1 ${workFilter}`,
    all ? [agentId] : [agentId, subjects.workIds],
  );
  const validations = await db.query<{ id: string; response: number; verified: boolean; createdAt: Date }>(
    `SELECT w.id, w.response, w.verified, w.created_at AS "createdAt" FROM registry_validations w WHERE w.agent_id = $1 ${all ? '' : 'AND w.work_id = ANY($2::text[])'}`,
    all ? [agentId] : [agentId, subjects.workIds],
  );
  const feedback = await db.query<FeedbackFacts & { settlementId: string | null }>(
    `SELECT f.id, f.score, f.work_id AS "workId", f.settlement_id AS "settlementId", f.self, f.created_at AS "createdAt", f.revoked_at AS "revokedAt",
            (SELECT count(*)::int FROM registry_feedback g
              WHERE g.agent_id = f.agent_id AND g.client_id = f.client_id AND (g.created_at, g.id) < (f.created_at, f.id)) AS earlier
       FROM registry_feedback f WHERE f.agent_id = $1 ${all ? '' : 'AND f.id = ANY($2::text[])'}`,
    all ? [agentId] : [agentId, subjects.feedbackIds],
  );
  const window = { windowHours: settings.payerWindowHours };
  const settlements: AgentSettlementFacts[] = all
    ? await listAgentSettlements(db, agentId, window)
    : [
        ...(await listAgentSettlements(db, agentId, { ...window, workIds: work.rows.map((row) => row.id) })),
        ...(await listAgentSettlements(db, agentId, { ...window, ids: feedback.rows.flatMap((row) => row.settlementId ?? []) })),
      ];
  const counting = new Map(settlements.map((settlement) => [settlement.id, { counts: settlementCounts(settlement, self, settings), workId: settlement.workId }]));
  const paidWork = new Set([...counting.values()].flatMap((settlement) => (settlement.counts && settlement.workId !== null ? [settlement.workId] : [])));
  const items = [
    ...work.rows.map((row) => workItem(row, paidWork.has(row.id))),
    ...validations.rows.flatMap((row) => validationItem(row) ?? []),
    ...feedback.rows.flatMap((row) => feedbackItem(row, row.settlementId === null ? undefined : counting.get(row.settlementId)) ?? []),
  ];
  return { items, subjectIds: [...work.rows, ...validations.rows, ...feedback.rows].map((row) => row.id) };
}
