import type { Pool } from '#platform/db/pool.ts';
import { VALIDATION_COLUMNS, WORK_COLUMNS, type ValidationRow, type WorkRecordRow } from './tables.ts';

export type WorkPage = { rows: (WorkRecordRow & { validations: ValidationRow[] })[]; nextBefore: number | null };

/** An agent's work records, newest first (`before`: a seq, the page after it), each with its validations. */
export async function listWork(deps: { pool: Pool }, agentId: string, page: { limit: number; before: number | undefined }): Promise<WorkPage> {
  const { rows } = await deps.pool.query<WorkRecordRow>(
    `SELECT ${WORK_COLUMNS} FROM registry_work WHERE agent_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`,
    [agentId, page.before ?? 2 ** 31 - 1, page.limit + 1],
  );
  const shown = rows.slice(0, page.limit);
  const validations = await deps.pool.query<ValidationRow>(`SELECT ${VALIDATION_COLUMNS} FROM registry_validations WHERE work_id = ANY($1::text[]) ORDER BY id`, [shown.map((row) => row.id)]);
  return {
    rows: shown.map((row) => ({ ...row, validations: validations.rows.filter((validation) => validation.workId === row.id) })),
    nextBefore: rows.length > page.limit ? shown.at(-1)!.seq : null,
  };
}
