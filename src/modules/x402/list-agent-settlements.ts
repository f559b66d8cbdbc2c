import type { PoolClient } from '#platform/db/pool.ts';
import type { SettlementStatus } from './tables.ts';

/** What the reputation model reads of a settlement paying a registry agent. */
export type AgentSettlementFacts = {
  id: string;
  /** The partner that recorded it. */
  clientId: string | null;
  payer: string;
  status: SettlementStatus;
  workId: string | null;
  verifiedAt: Date;
  /**
   * Its rank among the same payer's settlements of this agent verified within `windowHours` up to
   * it (itself included, in (verified_at, id) order): 1 for the first in the window.
   */
  payerRank: number;
};

/**
 * The settlements (`purpose` agent) of an agent: those named in `ids`, or those paying one of
 * `workIds`, or all of them when neither is given.
 */
export async function listAgentSettlements(
  db: Pick<PoolClient, 'query'>,
  agentId: string,
  options: { windowHours: number; ids?: string[]; workIds?: string[] },
): Promise<AgentSettlementFacts[]> {
  const filter = options.ids ? 'AND s.id = ANY($3::text[])' : options.workIds ? 'AND s.work_id = ANY($3::text[])' : '';
  const { rows } = await db.query<AgentSettlementFacts>(
    `SELECT s.id, s.client_id AS "clientId", s.payer, s.status, s.work_id AS "workId", s.verified_at AS "verifiedAt",
            (SELECT count(*)::int FROM x402_settlements p
              WHERE p.agent_id = s.agent_id AND p.purpose = 'agent' AND p.payer = s.payer
                AND p.verified_at > s.verified_at - make_interval(hours => $2) AND (p.verified_at, p.id) <= (s.verified_at, s.id)) AS "payerRank"
       FROM x402_settlements s
      WHERE s.agent_id = $1 AND s.purpose = 'agent' ${filter}
      ORDER BY s.verified_at, s.id`,
    [agentId, options.windowHours, ...(filter ? [options.ids ?? options.workIds] : [])],
  );
  return rows;
}
