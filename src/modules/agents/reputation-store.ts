import type { PoolClient } from '#platform/db/pool.ts';
import {
  componentKey,
  decayFactor,
  decaySums,
  evaluate,
  sumItems,
  type ComponentKey,
  type Evaluation,
  type ReputationItem,
  type ReputationSettings,
  type Sums,
} from './reputation-model.ts';

type Db = Pick<PoolClient, 'query'>;

const ITEM_COLUMNS = `subject_id AS "subjectId", source, strength, at, positive, negative`;

/** The items applied to the agent's reputation (those of `subjectIds`, or all). */
export async function readStoredItems(db: Db, agentId: string, subjectIds?: string[]): Promise<ReputationItem[]> {
  const { rows } = await db.query<ReputationItem>(
    `SELECT ${ITEM_COLUMNS} FROM registry_reputation_items WHERE agent_id = $1 ${subjectIds ? 'AND subject_id = ANY($2::text[])' : ''} ORDER BY at, subject_id`,
    subjectIds ? [agentId, subjectIds] : [agentId],
  );
  return rows;
}

export async function writeItem(db: Db, agentId: string, item: ReputationItem): Promise<void> {
  await db.query(
    `INSERT INTO registry_reputation_items (agent_id, subject_id, source, strength, at, positive, negative) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (agent_id, subject_id) DO UPDATE SET source = $3, strength = $4, at = $5, positive = $6, negative = $7`,
    [agentId, item.subjectId, item.source, item.strength, item.at, item.positive, item.negative],
  );
}

export async function deleteItems(db: Db, agentId: string, subjectIds: string[]): Promise<void> {
  await db.query('DELETE FROM registry_reputation_items WHERE agent_id = $1 AND subject_id = ANY($2::text[])', [agentId, subjectIds]);
}

/**
 * The agent's sums at `now`: the stored ones decayed forward from their reference time, or, when
 * they were kept with another half-life than the configured one, rebuilt from the stored items.
 */
export async function currentSums(db: Db, agentId: string, now: Date, settings: ReputationSettings): Promise<Sums> {
  const { rows } = await db.query<{ refAt: Date; sums: Sums; halfLifeDays: number }>(
    'SELECT ref_at AS "refAt", sums, half_life_days AS "halfLifeDays" FROM registry_reputation WHERE agent_id = $1',
    [agentId],
  );
  const state = rows[0];
  if (!state) return {};
  if (state.halfLifeDays !== settings.halfLifeDays) return sumItems(await readStoredItems(db, agentId), now, settings.halfLifeDays);
  return decaySums(state.sums, decayFactor(state.refAt, now, settings.halfLifeDays));
}

export type ComponentCounts = Partial<Record<ComponentKey, number>>;

/** How many applied items each component holds. */
export async function countItems(db: Db, agentId: string): Promise<ComponentCounts> {
  const { rows } = await db.query<{ source: ReputationItem['source']; strength: ReputationItem['strength']; count: number }>(
    'SELECT source, strength, count(*)::int AS count FROM registry_reputation_items WHERE agent_id = $1 GROUP BY source, strength',
    [agentId],
  );
  return Object.fromEntries(rows.map((row) => [componentKey(row), row.count]));
}

/**
 * Stores the sums as of `now` (components left without items are dropped: exact zeros, not float
 * dust), the agent's summary (`score`, `confidence`, `reputation_updated_at`) and today's (UTC)
 * row of the daily history.
 */
export async function saveReputation(db: Db, agentId: string, sums: Sums, now: Date, settings: ReputationSettings): Promise<Evaluation> {
  const counts = await countItems(db, agentId);
  const kept: Sums = Object.fromEntries(Object.entries(sums).filter(([key]) => (counts[key as ComponentKey] ?? 0) > 0));
  const evaluation = evaluate(kept);
  await db.query(
    `INSERT INTO registry_reputation (agent_id, ref_at, sums, half_life_days) VALUES ($1, $2, $3, $4)
     ON CONFLICT (agent_id) DO UPDATE SET ref_at = $2, sums = $3, half_life_days = $4`,
    [agentId, now, JSON.stringify(kept), settings.halfLifeDays],
  );
  await db.query('UPDATE registry_agents SET score = $2, confidence = $3, reputation_updated_at = $4 WHERE id = $1', [agentId, evaluation.score, evaluation.confidence, now]);
  await db.query(
    `INSERT INTO registry_reputation_daily (agent_id, day, score, confidence, mass, updated_at) VALUES ($1, ($2::timestamptz AT TIME ZONE 'UTC')::date, $3, $4, $5, $2)
     ON CONFLICT (agent_id, day) DO UPDATE SET score = $3, confidence = $4, mass = $5, updated_at = $2`,
    [agentId, now, evaluation.score, evaluation.confidence, evaluation.mass],
  );
  return evaluation;
}
