import type client from 'prom-client';
import type { Clock } from '#platform/clock.ts';
import { createPlatformKeys } from '#platform/crypto/platform-keys.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { wrapPool } from '#platform/db/database.ts';
import { createPool, type Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import { startQueue, type Queue } from '#platform/queue/queue.ts';
import type { WorkerKind } from '#platform/queue/worker-kind.ts';
import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import { createStoredCollateralSource } from './create-collateral-source.ts';
import { createEvidenceVerifier, type EvidenceVerifier } from './create-evidence-verifier.ts';
import { VerifyAttestationTaskJob } from './jobs.ts';
import { createAttestationWorkerMetrics } from './metrics.ts';
import type { TaskWorkerDeps } from './process-task-job.ts';
import { createTaskFinisher } from './finish-task.ts';
import { runTaskWorkerOnce, startTaskWorker } from './run-task-worker.ts';
import type { TcbStatus } from './verification/index.ts';

export type AttestationWorkerKindDeps = {
  databaseUrl: string;
  clock: Clock;
  secretBox: SecretBox;
  storage: ObjectStorage;
  log: Logger;
  registry: client.Registry;
  /** pg-boss, started on first use and stopped by the caller. */
  queue: () => Promise<Queue>;
  pccsUrl: string | undefined;
  acceptedTcbStatuses: readonly TcbStatus[];
  /** Tasks verified at once in this process (TEE_WORKER_CONCURRENCY): one worker thread each. */
  concurrency: number;
};

/**
 * Tasks in flight per verifier thread: enough that a thread has the next task while others wait on
 * I/O or in the finisher's gathering (bench:tee, same machine, runs taken in turn: 4 -> 8 raised the
 * end-to-end rate to in-process ratio from 0.73 and 0.79 to 1.12 and 0.97).
 */
export const TASKS_IN_FLIGHT_PER_THREAD = 8;

/**
 * `attestations`: verifies TEE attestation tasks off the request path. `context` is read only
 * when the kind starts, so the kinds can be listed before anything is open.
 */
export function attestationWorkerKinds(context: () => AttestationWorkerKindDeps): WorkerKind[] {
  const openPool = (deps: AttestationWorkerKindDeps) =>
    createPool(deps.databaseUrl, { max: deps.concurrency * TASKS_IN_FLIGHT_PER_THREAD + 2, log: deps.log, applicationName: 'veridity-attestations' });
  const workerDeps = (deps: AttestationWorkerKindDeps, pool: Pool, queue: Queue, verifier: EvidenceVerifier): TaskWorkerDeps => {
    const log = deps.log.child({ component: 'attestations' });
    const db = wrapPool(pool);
    return {
      pool,
      db,
      clock: deps.clock,
      log,
      storage: deps.storage,
      platformKeys: createPlatformKeys({ db, secretBox: deps.secretBox }),
      queue,
      collateralSource: createStoredCollateralSource({ pool, clock: deps.clock, log, pccsUrl: deps.pccsUrl }),
      verifier,
      finisher: createTaskFinisher({ pool, queue }),
      acceptedTcbStatuses: deps.acceptedTcbStatuses,
      metrics: createAttestationWorkerMetrics(deps.registry),
    };
  };

  const kind: WorkerKind = {
    name: 'attestations',
    description: 'verify TEE attestation tasks (DCAP quotes, dstack evidence) and store their results',
    async start() {
      const deps = context();
      const queue = await deps.queue();
      await queue.register([VerifyAttestationTaskJob]);
      const pool = openPool(deps);
      const verifier = createEvidenceVerifier({ size: deps.concurrency });
      const worker = startTaskWorker(workerDeps(deps, pool, queue, verifier), { concurrency: deps.concurrency * TASKS_IN_FLIGHT_PER_THREAD });
      return {
        async stop(options) {
          const result = await worker.stop(options);
          if (result.finished) await Promise.all([pool.end(), verifier.close()]);
          return result;
        },
      };
    },
    async runOnce() {
      const deps = context();
      // The jobs are pg-boss jobs: a one-pass run needs its own pg-boss, without maintenance schedules.
      const queue = await startQueue({ connectionString: deps.databaseUrl, log: deps.log.child({ component: 'queue' }), schedule: false });
      const pool = openPool(deps);
      const verifier = createEvidenceVerifier({ size: deps.concurrency });
      try {
        await queue.register([VerifyAttestationTaskJob]);
        const { paused, ...counts } = await runTaskWorkerOnce(workerDeps(deps, pool, queue, verifier));
        return { ...counts, paused: paused ? 1 : 0 };
      } finally {
        await queue.stop({ graceful: false });
        await Promise.all([pool.end(), verifier.close()]);
      }
    },
  };
  return [kind];
}
