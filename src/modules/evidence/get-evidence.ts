import type { Pool } from '#platform/db/pool.ts';
import type { EvidenceSubmissionRow } from './tables.ts';

/** Every column of evidence_submissions under its drizzle name, so raw queries return `EvidenceSubmissionRow`s. */
export const SUBMISSION_COLUMNS = `id, client_id AS "clientId", der_sha256 AS "derSha256", der_bytes AS "derBytes", object_key AS "objectKey",
  content_object_key AS "contentObjectKey", content_bytes AS "contentBytes", filename, metadata, status, attempts, job_id AS "jobId",
  error_code AS "errorCode", error_message AS "errorMessage", error_path AS "errorPath", document_sha256 AS "documentSha256",
  media_type AS "mediaType", document_schema AS "documentSchema", encrypted, certificate_id AS "certificateId",
  certificate_public_id AS "certificatePublicId", created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt", agent_id AS "agentId",
  rejected_at AS "rejectedAt", retests, retested_at AS "retestedAt", evidence_purged_at AS "evidencePurgedAt"`;

/** One of the partner's submissions; another partner's is as absent as one that does not exist. */
export async function getEvidence(deps: { pool: Pool }, clientId: string, id: string): Promise<EvidenceSubmissionRow | undefined> {
  const { rows } = await deps.pool.query<EvidenceSubmissionRow>(`SELECT ${SUBMISSION_COLUMNS} FROM evidence_submissions WHERE id = $1 AND client_id = $2`, [id, clientId]);
  return rows[0];
}

