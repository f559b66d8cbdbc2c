import type { Pool } from '#platform/db/pool.ts';
import { AGENT_COLUMNS, type RegistryAgentRow } from './tables.ts';

export type AgentSort = 'recent' | 'score';
export type AgentQuery = {
  capability?: string | undefined;
  tag?: string | undefined;
  minScore?: number | undefined;
  minConfidence?: number | undefined;
  verified?: boolean | undefined;
  /** Full text over name (weighted first) and description, websearch syntax ("quoted phrase", -not, or). */
  q?: string | undefined;
  sort: AgentSort;
};

/** Where the previous page ended: the last agent's sort key. Scores sort nulls last (as -1). */
type Position = { sort: AgentSort; score: number; id: string };

const ID = /^agr_[0-7][0-9a-hjkmnp-tv-z]{25}$/;

export function encodeCursor(sort: AgentSort, row: RegistryAgentRow): string {
  const key = sort === 'score' ? `s|${row.score ?? -1}|${row.id}` : `r|${row.id}`;
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** The position a cursor names, or undefined when it is not one this sort made. Never throws. */
export function decodeCursor(sort: AgentSort, cursor: string): Position | undefined {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (sort === 'recent' && parts.length === 2 && parts[0] === 'r' && ID.test(parts[1]!)) return { sort, score: 0, id: parts[1]! };
  if (sort !== 'score' || parts.length !== 3 || parts[0] !== 's' || !ID.test(parts[2]!)) return undefined;
  const score = Number(parts[1]);
  return parts[1] !== '' && Number.isFinite(score) && score >= -1 && score <= 1 ? { sort, score, id: parts[2]! } : undefined;
}

/**
 * The public registry query: live agents matching every given filter, newest first or by score
 * (null scores last, then newest), a page after `after`. Every filter is served by an index of
 * migration 0020 (GIN on capabilities, tags and the tsvector; B-tree on the sort keys).
 */
export async function searchAgents(
  deps: { pool: Pool },
  query: AgentQuery,
  page: { limit: number; after?: Position | undefined },
): Promise<{ rows: RegistryAgentRow[]; nextCursor: string | null }> {
  const where = ['deactivated_at IS NULL'];
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (query.capability !== undefined) where.push(`capabilities @> ARRAY[${param(query.capability)}::text]`);
  if (query.tag !== undefined) where.push(`tags @> ARRAY[${param(query.tag)}::text]`);
  if (query.minScore !== undefined) where.push(`score >= ${param(query.minScore)}`);
  if (query.minConfidence !== undefined) where.push(`confidence >= ${param(query.minConfidence)}`);
  if (query.verified !== undefined) where.push(query.verified ? 'verified_at IS NOT NULL' : 'verified_at IS NULL');
  if (query.q !== undefined) where.push(`search @@ websearch_to_tsquery('english', ${param(query.q)})`);
  const byScore = query.sort === 'score';
  if (page.after) {
    where.push(byScore ? `(coalesce(score, -1), id) < (${param(page.after.score)}::float8, ${param(page.after.id)})` : `id < ${param(page.after.id)}`);
  }
  const order = byScore ? 'coalesce(score, -1) DESC, id DESC' : 'id DESC';
  const { rows } = await deps.pool.query<RegistryAgentRow>(
    `SELECT ${AGENT_COLUMNS} FROM registry_agents WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${param(page.limit + 1)}`,
    values,
  );
  const shown = rows.slice(0, page.limit);
  return { rows: shown, nextCursor: rows.length > page.limit ? encodeCursor(query.sort, shown.at(-1)!) : null };
}
