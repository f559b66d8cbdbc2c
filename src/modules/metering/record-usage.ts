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
  await recordUsages(tx, [event]);
}

/** Several billable events in one statement (a group commit of many requests' outcomes). */
export async function recordUsages(tx: PoolClient, events: readonly UsageEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.query({
    name: 'metering-record-usages',
    text: `INSERT INTO usage_events (client_id, kind, claim_type, outcome, subject_id, at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])`,
    values: [
      events.map((event) => event.clientId),
      events.map((event) => event.kind),
      events.map((event) => event.claimType),
      events.map((event) => event.outcome),
      events.map((event) => event.subjectId),
      events.map((event) => event.at),
    ],
  });
}
