import type { Pool } from '#platform/db/pool.ts';
import { AGENT_COLUMNS, type RegistryAgentRow } from './tables.ts';

export type AgentStatus = 'unverified' | 'verified' | 'deactivated';
export type PartnerAgentFilter = {
  status?: AgentStatus | undefined;
  capability?: string | undefined;
  /** Part of the name, any case (what a person types to find one agent among theirs). */
  name?: string | undefined;
};

const STATUS_CONDITION: Record<AgentStatus, string> = {
  unverified: 'deactivated_at IS NULL AND verified_at IS NULL',
  verified: 'deactivated_at IS NULL AND verified_at IS NOT NULL',
  deactivated: 'deactivated_at IS NOT NULL',
};

/**
 * A partner's own registry agents, deactivated ones too, newest first, a page after the agent id
 * `before`. Served by registry_agents_client_idx (client_id, id); the other filters narrow one
 * partner's rows.
 */
export async function listPartnerAgents(
  deps: { pool: Pool },
  clientId: string,
  filter: PartnerAgentFilter,
  page: { limit: number; before?: string | undefined },
): Promise<{ rows: RegistryAgentRow[]; nextBefore: string | null }> {
  const values: unknown[] = [clientId];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const where = ['client_id = $1'];
  if (filter.status !== undefined) where.push(STATUS_CONDITION[filter.status]);
  if (filter.capability !== undefined) where.push(`capabilities @> ARRAY[${param(filter.capability)}::text]`);
  // LIKE's own wildcards in the typed text match themselves.
  if (filter.name !== undefined) where.push(`name ILIKE ${param(`%${filter.name.replace(/[\\%_]/g, '\\$&')}%`)}`);
  if (page.before !== undefined) where.push(`id < ${param(page.before)}`);
  const { rows } = await deps.pool.query<RegistryAgentRow>(
    `SELECT ${AGENT_COLUMNS} FROM registry_agents WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ${param(page.limit + 1)}`,
    values,
  );
  const shown = rows.slice(0, page.limit);
  return { rows: shown, nextBefore: rows.length > page.limit ? shown.at(-1)!.id : null };
}
