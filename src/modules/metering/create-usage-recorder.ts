import { createGroupCommit, type GroupCommit } from '#platform/db/group-commit.ts';
import type { Pool } from '#platform/db/pool.ts';
import { recordUsages, type UsageEvent } from './record-usage.ts';

/** Records usage events that have no outcome transaction to ride on (a read: a partner's agent query). */
export type UsageRecorder = GroupCommit<UsageEvent, void>;

// A hot public path: concurrent requests' events share one INSERT (group commit, as verifications
// do); one statement in flight at a time leaves the pool's connections to the queries themselves.
const MAX_BATCH = 128;
const MAX_IN_FLIGHT = 1;

/** Alone, an event is one INSERT (no transaction around it); under load, one INSERT per batch. */
export function createUsageRecorder(deps: { pool: Pool }): UsageRecorder {
  return createGroupCommit(async (events) => {
    await recordUsages(deps.pool, events);
    return events.map(() => undefined);
  }, { maxBatch: MAX_BATCH, maxInFlight: MAX_IN_FLIGHT });
}
