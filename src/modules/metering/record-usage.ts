import type { PoolClient } from '#platform/db/pool.ts';

export type UsageEvent = {
  clientId: string;
  /** e.g. `zk.verify`, `tee.verify`. */
  kind: string;
  claimType: string | null;
  outcome: string;
  subjectId: string | null;
  at: Date;
};

/** One billable event, written on the caller's transaction with the outcome it meters. */
export async function recordUsage(tx: PoolClient, event: UsageEvent): Promise<void> {
  await tx.query('INSERT INTO usage_events (client_id, kind, claim_type, outcome, subject_id, at) VALUES ($1, $2, $3, $4, $5, $6)', [
    event.clientId,
    event.kind,
    event.claimType,
    event.outcome,
    event.subjectId,
    event.at,
  ]);
}
