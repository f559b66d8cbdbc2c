import type { Pool } from '#platform/db/pool.ts';
import { FEEDBACK_COLUMNS, type FeedbackRow } from './tables.ts';

/** An agent's live (not revoked) feedback, newest first; `before`: a feedback id, the page after it. */
export async function listFeedback(deps: { pool: Pool }, agentId: string, page: { limit: number; before: string | undefined }): Promise<{ rows: FeedbackRow[]; nextBefore: string | null }> {
  const { rows } = await deps.pool.query<FeedbackRow>(
    `SELECT ${FEEDBACK_COLUMNS} FROM registry_feedback WHERE agent_id = $1 AND revoked_at IS NULL AND ($2::text IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
    [agentId, page.before ?? null, page.limit + 1],
  );
  const shown = rows.slice(0, page.limit);
  return { rows: shown, nextBefore: rows.length > page.limit ? shown.at(-1)!.id : null };
}
