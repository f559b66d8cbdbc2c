import type { Clock } from '#platform/clock.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { createPool, type Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import { startQueue, type Queue } from '#platform/queue/queue.ts';
import { closingPoolOnStop, type WorkerKind } from '#platform/queue/worker-kind.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import type { NotifyPartner } from '#modules/notifications/notification-events.ts';
import type { CertifyEvidence } from './certification-request.ts';
import { createEvidenceEncryptionKeys } from './evidence-encryption-keys.ts';
import { VerifyEvidenceJob } from './jobs.ts';
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
};

/**
 * `evidence`: verifies submitted CMS documents and certifies or rejects them. `context` is read
 * only when the kind starts, so the kinds can be listed before anything is open.
 */
export function evidenceWorkerKinds(context: () => EvidenceWorkerKindDeps): WorkerKind[] {
  const open = (deps: EvidenceWorkerKindDeps): { pool: Pool; workerDeps: EvidenceWorkerDeps } => {
    const pool = createPool(deps.databaseUrl, { max: deps.concurrency + 2, log: deps.log, applicationName: 'veridity-evidence' });
    return {
      pool,
      workerDeps: {
        pool,
        clock: deps.clock,
        log: deps.log.child({ component: 'evidence' }),
        storage: deps.storage,
        encryptionKeys: createEvidenceEncryptionKeys({ pool, secretBox: deps.secretBox, clock: deps.clock }),
        certify: deps.certifier(pool),
        ...(deps.notify ? { notify: deps.notify } : {}),
      },
    };
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
  return [kind];
}
