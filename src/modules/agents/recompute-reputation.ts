import { inTransaction } from '#platform/db/pool.ts';
import { deriveReputationItems } from './derive-reputation-items.ts';
import type { ReputationDeps } from './on-reputation-event.ts';
import { evaluate, sameItem, sumItems, type Evaluation } from './reputation-model.ts';
import { currentSums, readStoredItems, saveReputation, writeItem } from './reputation-store.ts';

/** Differences below this (absolute, on numbers of order 1 to a few hundred) are float rounding. */
export const RECOMPUTE_TOLERANCE = 1e-9;

export type RecomputeReport = {
  agentId: string;
  stored: Evaluation;
  recomputed: Evaluation;
  /** Items missing, extra or different in the stored ones (a stored half-life other than the configured one also differs). */
  itemsDiffering: number;
  /** The largest absolute difference of score, confidence or a component's positive / negative mass. */
  largestDifference: number;
  differs: boolean;
  written: boolean;
};

function largestDifference(a: Evaluation, b: Evaluation): number {
  if ((a.score === null) !== (b.score === null)) return Infinity;
  const numbers = (e: Evaluation) => new Map<string, number>([
    ['score', e.score ?? 0], ['confidence', e.confidence],
    ...e.components.flatMap((c) => [[`${c.source}/${c.strength}+`, c.positive], [`${c.source}/${c.strength}-`, c.negative]] as [string, number][]),
  ]);
  const [x, y] = [numbers(a), numbers(b)];
  let largest = 0;
  for (const key of new Set([...x.keys(), ...y.keys()])) largest = Math.max(largest, Math.abs((x.get(key) ?? 0) - (y.get(key) ?? 0)));
  return largest;
}

/**
 * Recomputes an agent's reputation from its stored events alone (every item derived again and
 * summed from scratch at now) and compares it with the stored, incrementally maintained numbers;
 * with `write`, replaces them (items, sums, summary, today's history row) when they differ.
 */
export async function recomputeReputation(deps: ReputationDeps, agentId: string, options: { write: boolean }): Promise<RecomputeReport> {
  return inTransaction(deps.pool, async (tx) => {
    await tx.query('SELECT 1 FROM registry_agents WHERE id = $1 FOR UPDATE', [agentId]);
    const now = deps.clock.now();
    const settings = deps.reputation;
    const derived = await deriveReputationItems(tx, agentId, settings, 'all');
    const stored = await readStoredItems(tx, agentId);
    const storedById = new Map(stored.map((item) => [item.subjectId, item]));
    const wantedIds = new Set(derived.items.map((item) => item.subjectId));
    const itemsDiffering =
      derived.items.filter((item) => !storedById.has(item.subjectId) || !sameItem(storedById.get(item.subjectId)!, item)).length +
      stored.filter((item) => !wantedIds.has(item.subjectId)).length;
    const fresh = sumItems(derived.items, now, settings.halfLifeDays);
    const storedEvaluation = evaluate(await currentSums(tx, agentId, now, settings));
    const recomputed = evaluate(fresh);
    const largest = largestDifference(storedEvaluation, recomputed);
    const kept = await tx.query<{ halfLifeDays: number }>('SELECT half_life_days AS "halfLifeDays" FROM registry_reputation WHERE agent_id = $1', [agentId]);
    const otherHalfLife = kept.rows[0] !== undefined && kept.rows[0].halfLifeDays !== settings.halfLifeDays;
    const differs = itemsDiffering > 0 || largest > RECOMPUTE_TOLERANCE || otherHalfLife;
    if (options.write && differs) {
      await tx.query('DELETE FROM registry_reputation_items WHERE agent_id = $1', [agentId]);
      for (const item of derived.items) await writeItem(tx, agentId, item);
      await saveReputation(tx, agentId, fresh, now, settings);
    }
    return { agentId, stored: storedEvaluation, recomputed, itemsDiffering, largestDifference: largest, differs, written: options.write && differs };
  });
}
