import type { Clock } from '#platform/clock.ts';
import { inTransaction, type Pool, type PoolClient } from '#platform/db/pool.ts';
import { deriveReputationItems, type ReputationSubjects } from './derive-reputation-items.ts';
import { applyItem, sameItem, type Evaluation, type ReputationSettings } from './reputation-model.ts';
import { currentSums, deleteItems, readStoredItems, saveReputation, writeItem } from './reputation-store.ts';

export type ReputationDeps = { pool: Pool; clock: Clock; reputation: ReputationSettings };

/** What happened to an agent that can change its reputation. */
export type ReputationEvent =
  | { kind: 'work'; agentId: string; workId: string }
  | { kind: 'feedback'; agentId: string; feedbackId: string }
  | { kind: 'settlement'; agentId: string; settlementId: string; workId: string | null };

/** The subjects an event can change: the work record (and its validations), the feedback, or what a settlement backs. */
async function subjectsOf(tx: PoolClient, event: ReputationEvent): Promise<ReputationSubjects> {
  if (event.kind === 'work') return { workIds: [event.workId], feedbackIds: [] };
  if (event.kind === 'feedback') return { workIds: [], feedbackIds: [event.feedbackId] };
  const { rows } = await tx.query<{ id: string }>('SELECT id FROM registry_feedback WHERE agent_id = $1 AND settlement_id = $2', [event.agentId, event.settlementId]);
  return { workIds: event.workId === null ? [] : [event.workId], feedbackIds: rows.map((row) => row.id) };
}

/**
 * Updates an agent's reputation for one event, incrementally: the stored sums are decayed to now,
 * the items of the event's subjects are derived from the stored events and compared with the
 * applied ones, and only what changed is subtracted (its applied contribution, decayed) and added.
 * Idempotent: the same event again changes nothing. The agent row is locked, so events of one
 * agent apply one at a time. Called by the use cases right after their event is stored.
 */
export async function onReputationEvent(deps: ReputationDeps, event: ReputationEvent): Promise<Evaluation> {
  return inTransaction(deps.pool, async (tx) => {
    await tx.query('SELECT 1 FROM registry_agents WHERE id = $1 FOR UPDATE', [event.agentId]);
    const now = deps.clock.now();
    const settings = deps.reputation;
    const derived = await deriveReputationItems(tx, event.agentId, settings, await subjectsOf(tx, event));
    const applied = new Map((await readStoredItems(tx, event.agentId, derived.subjectIds)).map((item) => [item.subjectId, item]));
    const wanted = new Map(derived.items.map((item) => [item.subjectId, item]));
    const sums = await currentSums(tx, event.agentId, now, settings);
    const removed: string[] = [];
    for (const [subjectId, old] of applied) {
      const next = wanted.get(subjectId);
      if (next && sameItem(old, next)) continue;
      applyItem(sums, old, now, settings.halfLifeDays, -1);
      if (!next) removed.push(subjectId);
    }
    for (const [subjectId, next] of wanted) {
      const old = applied.get(subjectId);
      if (old && sameItem(old, next)) continue;
      applyItem(sums, next, now, settings.halfLifeDays, 1);
      await writeItem(tx, event.agentId, next);
    }
    if (removed.length > 0) await deleteItems(tx, event.agentId, removed);
    return saveReputation(tx, event.agentId, sums, now, settings);
  });
}
