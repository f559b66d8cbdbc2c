import type { Pool } from '#platform/db/pool.ts';
import { SUBMISSION_COLUMNS } from './get-evidence.ts';
import type { EvidenceStatus, EvidenceSubmissionRow } from './tables.ts';

/** The partner's submissions newest first, optionally of one status; `cursor` is the last id of the previous page. */
export async function listEvidence(
  deps: { pool: Pool },
  clientId: string,
  filter: { status?: EvidenceStatus | undefined },
  page: { limit: number; cursor?: string | undefined },
): Promise<{ rows: EvidenceSubmissionRow[]; nextCursor: string | null }> {
  const { rows } = await deps.pool.query<EvidenceSubmissionRow>(
    `SELECT ${SUBMISSION_COLUMNS} FROM evidence_submissions
      WHERE client_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR id < $3)
      ORDER BY id DESC LIMIT $4`,
    [clientId, filter.status ?? null, page.cursor ?? null, page.limit + 1],
  );
  const shown = rows.slice(0, page.limit);
  return { rows: shown, nextCursor: rows.length > page.limit ? shown.at(-1)!.id : null };
}
