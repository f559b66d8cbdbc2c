import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { createPool, type Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import { createJobSender } from '#platform/queue/job-sender.ts';
import { startQueue, type Queue } from '#platform/queue/queue.ts';
import { scheduledWorkerKind } from '#platform/queue/scheduled-worker-kind.ts';
import { closingPoolOnStop, type WorkerKind } from '#platform/queue/worker-kind.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import type { NotifyPartner } from '#modules/notifications/notification-events.ts';
import type { CertifyEvidence } from './certification-request.ts';
import { createEvidenceEncryptionKeys } from './evidence-encryption-keys.ts';
import { RETEST_CRON, RetestEvidenceBinding, VerifyEvidenceJob } from './jobs.ts';
import type { EvidenceWorkerDeps } from './process-evidence-job.ts';
import { runEvidenceWorkerOnce, startEvidenceWorker } from './run-evidence-worker.ts';

export type EvidenceWorkerKindDeps = {
  databaseUrl: string;
  clock: Clock;
  secretBox: SecretBox;
  storage: ObjectStorage;
  log: Logger;
  /** pg-boss, started on first use and stopped by the caller. */
  queue: () => Promise<Queue>;
  /** Submissions verified at once in this process (EVIDENCE_WORKER_CONCURRENCY). */
  concurrency: number;
  /** The certificates module's issuer, over the kind's own pool (wired by the CLI). */
  certifier: (pool: Pool) => CertifyEvidence;
  /** The notifications module's enqueue, when e-mail is on (wired by the CLI). */
  notify?: NotifyPartner;
  /** The retry pass: most re-tests per submission, most submissions per pass. */
  retestLimit: number;
  retryBatchSize: number;
};

/** What verifying and finishing a submission needs, over `pool`. */
function workerDepsOver(pool: Pool, deps: EvidenceWorkerKindDeps): EvidenceWorkerDeps {
  return {
    pool,
    clock: deps.clock,
    log: deps.log.child({ component: 'evidence' }),
    storage: deps.storage,
    encryptionKeys: createEvidenceEncryptionKeys({ pool, secretBox: deps.secretBox, clock: deps.clock }),
    certify: deps.certifier(pool),
    ...(deps.notify ? { notify: deps.notify } : {}),
  };
}

/**
 * `evidence`: verifies submitted CMS documents and certifies or rejects them; `retry`: re-tests
 * failed submissions and rejections whose trust changed, on a schedule. `context` is read only
 * when a kind starts, so the kinds can be listed before anything is open.
 */
export function evidenceWorkerKinds(context: () => EvidenceWorkerKindDeps): WorkerKind[] {
  const open = (deps: EvidenceWorkerKindDeps): { pool: Pool; workerDeps: EvidenceWorkerDeps } => {
    const pool = createPool(deps.databaseUrl, { max: deps.concurrency + 2, log: deps.log, applicationName: 'veridity-evidence' });
    return { pool, workerDeps: workerDepsOver(pool, deps) };
  };

  const kind: WorkerKind = {
    name: 'evidence',
    description: 'verify submitted signed evidence (CMS) and certify or reject it',
    async start() {
      const deps = context();
      const queue = await deps.queue();
      await queue.register([VerifyEvidenceJob]);
      const { pool, workerDeps } = open(deps);
      return closingPoolOnStop(await startEvidenceWorker(workerDeps, queue, { concurrency: deps.concurrency }), pool);
    },
    async runOnce() {
      const deps = context();
      // The jobs are pg-boss jobs: a one-pass run needs its own pg-boss, without maintenance schedules.
      const queue = await startQueue({ connectionString: deps.databaseUrl, log: deps.log.child({ component: 'queue' }), schedule: false });
      const { pool, workerDeps } = open(deps);
      try {
        await queue.register([VerifyEvidenceJob]);
        return await runEvidenceWorkerOnce(workerDeps, queue);
      } finally {
        await queue.stop({ graceful: false });
        await pool.end();
      }
    },
  };
  const retry = scheduledWorkerKind({
    binding: RetestEvidenceBinding,
    cron: RETEST_CRON,
    description: 're-test signed evidence: queue failed submissions again (with backoff), verify again rejections whose trust anchors, TSA anchors or CRLs changed',
    context: () => {
      const deps = context();
      const jobs = createJobSender(deps.queue, VerifyEvidenceJob);
      return {
        queue: deps.queue,
        openPool: () => createPool(deps.databaseUrl, { max: 2, log: deps.log, applicationName: 'veridity-evidence-retry' }),
        log: deps.log.child({ component: 'evidence-retry' }),
        handlerDeps: (pool) => ({ ...workerDepsOver(pool, deps), jobs, retestLimit: deps.retestLimit, batchSize: deps.retryBatchSize }),
      };
    },
  });
  return [kind, retry];
}
