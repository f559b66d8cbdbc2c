import type { Pool, PoolClient } from '#platform/db/pool.ts';
import type { Statement } from '#platform/db/statement.ts';
import { USAGE_KINDS, usageEventId, type UsageKind } from './products.ts';

export type UsageEvent = {
  clientId: string;
  kind: UsageKind;
  claimType: string | null;
  outcome: string;
  /** The outcome's id (proof, task, submission, certificate): the event's identity derives from it. */
  subjectId: string;
  at: Date;
};

/** One billable event, written on the caller's transaction with the outcome it meters. */
export async function recordUsage(tx: PoolClient, event: UsageEvent): Promise<void> {
  await recordUsages(tx, [event]);
}

/**
 * Several billable events in one statement (a group commit of many requests' outcomes), each a
 * CloudEvent (`id` from the product and the outcome's id, `source`, `type` from the product,
 * `subject` the client, `time`). An outcome recorded again is skipped: it counts once.
 * `tx` is the outcome's transaction; the pool only for an event that is its own outcome (a read).
 */
export async function recordUsages(tx: PoolClient | Pool, events: readonly UsageEvent[]): Promise<void> {
  if (events.length > 0) await tx.query(usagesStatement(events));
}

/** recordUsages as a statement, for a caller that composes its writes into one (see composeStatements). */
export function usagesStatement(events: readonly UsageEvent[]): Statement {
  return {
    name: 'metering-record-usages',
    text: `INSERT INTO usage_events (event_id, source, product, client_id, kind, claim_type, outcome, subject_id, at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
           ON CONFLICT (event_id) DO NOTHING`,
    values: [
      events.map((event) => usageEventId(USAGE_KINDS[event.kind].product, event.subjectId)),
      events.map((event) => USAGE_KINDS[event.kind].source),
      events.map((event) => USAGE_KINDS[event.kind].product),
      events.map((event) => event.clientId),
      events.map((event) => event.kind),
      events.map((event) => event.claimType),
      events.map((event) => event.outcome),
      events.map((event) => event.subjectId),
      events.map((event) => event.at),
    ],
  };
}
