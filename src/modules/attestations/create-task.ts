import { createHash } from 'node:crypto';
import type { Clock } from '#platform/clock.ts';
import { canonicalJsonBytes } from '#platform/canonical-json.ts';
import { inTransaction, type Pool } from '#platform/db/pool.ts';
import { newId } from '#platform/ids.ts';
import { VerifyAttestationTaskJob } from './jobs.ts';
import { MAX_EVIDENCE_BYTES, type TaskCreate } from './schema.ts';
import type { TaskQueue } from './task-queue.ts';
import { DEFAULT_VERIFICATION_FLAGS } from './verification/index.ts';

export type CreateTaskResult =
  | { ok: true; id: string }
  | { ok: false; code: 'EVIDENCE_TOO_LARGE' | 'EVIDENCE_NOT_JSON'; message: string };

/**
 * POST /api/v1/tasks after auth and scope: the task row (pending, with its evidence) and its
 * queue job in one transaction. Nothing about the evidence is judged here beyond its size:
 * evidence that does not verify makes a task that fails, with the reason.
 */
export async function createTask(deps: { pool: Pool; clock: Clock; taskQueue: TaskQueue }, clientId: string, input: TaskCreate): Promise<CreateTaskResult> {
  let canonical: Buffer;
  try {
    canonical = canonicalJsonBytes(input.evidence);
  } catch (error) {
    // JSON.parse admits lone surrogates (\ud800) that no canonical encoding can carry.
    return { ok: false, code: 'EVIDENCE_NOT_JSON', message: `evidence is not canonical JSON: ${(error as Error).message}` };
  }
  if (canonical.length > MAX_EVIDENCE_BYTES) {
    return { ok: false, code: 'EVIDENCE_TOO_LARGE', message: `evidence is ${canonical.length} bytes of JSON, over the limit of ${MAX_EVIDENCE_BYTES}` };
  }
  const id = newId('tsk');
  const flags = { ...DEFAULT_VERIFICATION_FLAGS, ...input.verificationFlags };
  await deps.taskQueue.ready();
  await inTransaction(deps.pool, async (tx) => {
    await tx.query(
      `INSERT INTO attestation_tasks (id, client_id, job_name, app_id, app_name, app_config_type, contract_address, model_or_domain,
                                      app_metadata, verification_flags, evidence, evidence_sha256, evidence_bytes, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        id,
        clientId,
        VerifyAttestationTaskJob.name,
        input.appId,
        input.appName,
        input.appConfigType,
        input.contractAddress ?? null,
        input.modelOrDomain ?? null,
        input.appMetadata === undefined ? null : JSON.stringify(input.appMetadata),
        JSON.stringify(flags),
        canonical.toString('utf8'),
        createHash('sha256').update(canonical).digest('hex'),
        canonical.length,
        deps.clock.now(),
      ],
    );
    const jobId = await deps.taskQueue.enqueue(tx, id);
    await tx.query('UPDATE attestation_tasks SET job_id = $2 WHERE id = $1', [id, jobId]);
  });
  return { ok: true, id };
}
