import type { Pool, PoolClient } from '#platform/db/pool.ts';
import { VALIDATION_COLUMNS, WORK_COLUMNS, type ValidationRow, type WorkRecordRow } from './tables.ts';

/**
 * A work record with its validations, as a partner may see it: any record of a live agent (work
 * histories are public), and every record of the partner's own agents (deactivated ones too).
 */
/** Whether `workId` is a work record of `agentId` (any partner may pay for or review an agent's work). */
export async function isWorkRecordOf(deps: { pool: Pool | PoolClient }, workId: string, agentId: string): Promise<boolean> {
  const { rowCount } = await deps.pool.query('SELECT 1 FROM registry_work WHERE id = $1 AND agent_id = $2', [workId, agentId]);
  return rowCount === 1;
}

export async function findWorkRecord(deps: { pool: Pool | PoolClient }, clientId: string, workId: string): Promise<(WorkRecordRow & { validations: ValidationRow[] }) | undefined> {
  const { rows } = await deps.pool.query<WorkRecordRow>(
    `SELECT ${WORK_COLUMNS} FROM registry_work w
      WHERE w.id = $1 AND EXISTS (SELECT 1 FROM registry_agents a WHERE a.id = w.agent_id AND (a.deactivated_at IS NULL OR a.client_id = $2))`,
    [workId, clientId],
  );
  const work = rows[0];
  if (!work) return undefined;
  const validations = await deps.pool.query<ValidationRow>(`SELECT ${VALIDATION_COLUMNS} FROM registry_validations WHERE work_id = $1 ORDER BY id`, [workId]);
  return { ...work, validations: validations.rows };
}
