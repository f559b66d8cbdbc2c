import type { Clock } from '#platform/clock.ts';
import type { Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import type { ReceivedJob } from '#platform/queue/job-binding.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import type { NotifyPartner } from '#modules/notifications/notification-events.ts';
import type { CertifyEvidence } from './certification-request.ts';
import type { EvidenceEncryptionKeys } from './evidence-encryption-keys.ts';
import { finishEvidence, type EvidenceDecision } from './finish-evidence.ts';
import { SUBMISSION_COLUMNS } from './get-evidence.ts';
import type { VerifyEvidencePayload } from './jobs.ts';
import { loadEvidenceTrust } from './load-evidence-trust.ts';
import type { EvidenceSubmissionRow } from './tables.ts';
import { loadEvidenceVerification } from './load-evidence-verification.ts';
import { withinTimeLimit } from './within-time-limit.ts';

export type EvidenceWorkerDeps = {
  pool: Pool;
  clock: Clock;
  log: Logger;
  storage: ObjectStorage;
  encryptionKeys: EvidenceEncryptionKeys;
  certify: CertifyEvidence;
  /** The notifications module's enqueue (wired when SMTP_URL is set): the `evidence.rejected` e-mail. */
  notify?: NotifyPartner;
  /** Per document (default 60 s): past it the submission fails with VERIFICATION_TIMEOUT. */
  verifyTimeoutMs?: number;
};

export type EvidenceJobOutcome = 'certified' | 'rejected' | 'failed' | 'skipped';

const DEFAULT_VERIFY_TIMEOUT_MS = 60_000;

/** Bytes the row points at; missing ones are an infrastructure failure (retried), not the evidence's. */
async function load(storage: ObjectStorage, key: string): Promise<Buffer> {
  const bytes = await storage.get(key);
  if (!bytes) throw new Error(`object ${key} is missing from storage`);
  return bytes;
}

/** Verifies the stored document against the partner's anchors now. Throws only for infrastructure (storage, database). */
export async function decideEvidence(deps: EvidenceWorkerDeps, row: EvidenceSubmissionRow): Promise<EvidenceDecision> {
  const der = await load(deps.storage, row.objectKey);
  const detachedContent = row.contentObjectKey ? await load(deps.storage, row.contentObjectKey) : undefined;
  const trust = await loadEvidenceTrust(deps, row.clientId);
  const key = await deps.encryptionKeys.active();
  const timeLimit = deps.verifyTimeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS;
  const { verifySignedEvidence } = await loadEvidenceVerification();
  let outcome;
  try {
    outcome = await withinTimeLimit(
      verifySignedEvidence(
        detachedContent ? { der, detachedContent } : { der },
        { ...trust, decryption: { privateKey: key.privateKey, certificate: key.certificate }, now: deps.clock.now() },
      ),
      timeLimit,
    );
  } catch (error) {
    // The verifier promises never to throw: one that does has a bug, which no retry fixes.
    deps.log.error({ err: error, evidence_id: row.id }, 'evidence verifier threw');
    return { kind: 'failed', code: 'INTERNAL_ERROR', message: 'the verifier failed on this document; it was logged' };
  }
  if (!outcome.done) {
    deps.log.warn({ evidence_id: row.id, time_limit_ms: timeLimit }, 'evidence verification ran out of time');
    return { kind: 'failed', code: 'VERIFICATION_TIMEOUT', message: `verification took longer than ${timeLimit / 1000} s` };
  }
  const verdict = outcome.value;
  if (verdict.ok) return { kind: 'certified', verified: verdict };
  return { kind: 'rejected', code: verdict.code, message: verdict.message, path: verdict.path };
}

/**
 * Works one job: claims its submission (received -> validating), verifies it and finishes it in
 * one transaction (certified with its certificate, rejected, or failed). Evidence that does not
 * verify is an outcome, never an exception. An exception is infrastructure (database, storage):
 * the submission goes back to received and the error is rethrown for pg-boss to retry the job
 * with backoff; on the last attempt the submission fails with INTERNAL_ERROR instead.
 */
export async function processEvidenceJob(deps: EvidenceWorkerDeps, job: ReceivedJob<VerifyEvidencePayload>): Promise<EvidenceJobOutcome> {
  const { rows } = await deps.pool.query<EvidenceSubmissionRow>(
    `UPDATE evidence_submissions SET status = 'validating', started_at = $2, attempts = attempts + 1
      WHERE id = $1 AND status IN ('received', 'validating')
      RETURNING ${SUBMISSION_COLUMNS}`,
    [job.data.evidence_id, deps.clock.now()],
  );
  const row = rows[0];
  if (!row) return 'skipped'; // decided by an earlier run of this job
  try {
    const decision = await decideEvidence(deps, row);
    if (!(await finishEvidence(deps, row, decision, deps.clock.now()))) return 'skipped';
    return decision.kind;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (job.retryCount < job.retryLimit) {
      deps.log.warn({ err: error, evidence_id: row.id, retry: job.retryCount + 1 }, 'evidence verification attempt failed; retrying');
      await deps.pool.query(`UPDATE evidence_submissions SET status = 'received' WHERE id = $1 AND status = 'validating'`, [row.id]);
      throw error;
    }
    deps.log.error({ err: error, evidence_id: row.id, attempts: job.retryCount + 1 }, 'evidence verification failed on every attempt');
    const failure = { kind: 'failed' as const, code: 'INTERNAL_ERROR' as const, message: `verification could not be completed after ${job.retryCount + 1} attempts: ${message}` };
    await finishEvidence(deps, row, failure, deps.clock.now());
    return 'failed';
  }
}
