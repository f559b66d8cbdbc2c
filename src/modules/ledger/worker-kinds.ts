import { setTimeout as delay } from 'node:timers/promises';
import type client from 'prom-client';
import type { Clock } from '#platform/clock.ts';
import { createPlatformKeys } from '#platform/crypto/platform-keys.ts';
import type { SecretBox } from '#platform/crypto/secret-box.ts';
import { wrapPool } from '#platform/db/database.ts';
import { createPool, type Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import type { Queue } from '#platform/queue/queue.ts';
import { scheduledWorkerKind } from '#platform/queue/scheduled-worker-kind.ts';
import type { WorkerKind } from '#platform/queue/worker-kind.ts';
import { LEDGER_AUDIT_CRON, LedgerAuditBinding, LedgerAuditJob } from './jobs.ts';
import { startLedgerSequencer, type LedgerSequencerDeps } from './ledger-sequencer.ts';
import { createLedgerMetrics } from './metrics.ts';
import type { OutcomeSources } from './outcome-sources.ts';

export type LedgerWorkerKindDeps = {
  databaseUrl: string;
  clock: Clock;
  secretBox: SecretBox;
  log: Logger;
  registry: client.Registry;
  /** pg-boss, started on first use and stopped by the caller. */
  queue: () => Promise<Queue>;
  checkpointSeconds: number;
  /** What the audit compares each entry with, registered by the app. */
  outcomeSources: OutcomeSources;
};

/**
 * The ledger module's consumers: `ledger` (the sequencer: batches pending entries into the log and
 * signs checkpoints) and `ledger.audit` (the daily recomputation of the whole log).
 * `context` is read only when a kind starts, so the kinds can be listed before anything is open.
 */
export function ledgerWorkerKinds(context: () => LedgerWorkerKindDeps): WorkerKind[] {
  // Own small pool: a sequencer pass holds one connection, opening the signing key may take another.
  const openPool = (deps: LedgerWorkerKindDeps) => createPool(deps.databaseUrl, { max: 3, log: deps.log, applicationName: 'veridity-ledger' });
  const sequencerDeps = (deps: LedgerWorkerKindDeps, pool: Pool): LedgerSequencerDeps => ({
    pool,
    clock: deps.clock,
    log: deps.log.child({ component: 'ledger' }),
    platformKeys: createPlatformKeys({ db: wrapPool(pool), secretBox: deps.secretBox }),
    checkpointSeconds: deps.checkpointSeconds,
    metrics: createLedgerMetrics(deps.registry),
  });

  const sequencer: WorkerKind = {
    name: 'ledger',
    description: 'sequence verification outcomes into the Merkle log and sign checkpoints (one process at a time holds the lock)',
    async start() {
      const deps = context();
      const pool = openPool(deps);
      const running = startLedgerSequencer(sequencerDeps(deps, pool));
      return {
        async stop({ timeoutMs }) {
          const finished = await Promise.race([running.stop().then(() => true), delay(timeoutMs, false, { ref: false })]);
          if (finished) await pool.end();
          return { finished };
        },
      };
    },
    async runOnce() {
      const deps = context();
      const pool = openPool(deps);
      const once = startLedgerSequencer({ ...sequencerDeps(deps, pool), background: false });
      try {
        const totals = { sequenced: 0, checkpoints: 0 };
        for (;;) {
          const pass = await once.runOnce();
          totals.sequenced += pass.sequenced;
          if (pass.checkpoint) totals.checkpoints += 1;
          if (!pass.locked || pass.sequenced === 0) return totals;
        }
      } finally {
        await pool.end();
      }
    },
  };

  const audit = scheduledWorkerKind({
    binding: LedgerAuditBinding,
    cron: LEDGER_AUDIT_CRON,
    description: 'recompute the whole ledger and compare it with every checkpoint and outcome; alert on a mismatch',
    context: () => {
      const deps = context();
      const metrics = createLedgerMetrics(deps.registry);
      const log = deps.log.child({ component: 'ledger' });
      return {
        queue: deps.queue,
        openPool: () => openPool(deps),
        log,
        handlerDeps: (pool) => ({ pool, log, clock: deps.clock, metrics, outcomeSources: deps.outcomeSources }),
        onFailure: () => metrics.failures.inc({ queue: LedgerAuditJob.name }),
      };
    },
  });

  return [sequencer, audit];
}
