import type { Clock } from '#platform/clock.ts';
import { createPool, type Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import { createFailureBackoff } from '#platform/queue/failure-backoff.ts';
import { createInterruptibleSleep } from '#platform/queue/interruptible-sleep.ts';
import { closingPoolOnStop, type RunningWorker, type WorkerKind } from '#platform/queue/worker-kind.ts';
import type { AnchorAdapter, ChainAnchorAdapter } from './anchor-adapter.ts';
import { type AnchorPassDeps, type OnAnchorConfirmed, runAnchorPass } from './run-anchor-pass.ts';

export type AnchorWorkerKindDeps = {
  databaseUrl: string;
  clock: Clock;
  log: Logger;
  /** Built from ANCHOR_ADAPTER and its settings (validated at start-up); may load its chain library. */
  adapter: () => Promise<AnchorAdapter>;
  confirmations: number;
  intervalSeconds: number;
  onConfirmed: OnAnchorConfirmed;
  /** How often the loop looks for new checkpoints and follows anchors in flight. Default 5 s. */
  pollIntervalMs?: number;
};

const DEFAULT_POLL_INTERVAL_MS = 5_000;

/**
 * `anchor`: anchors signed ledger checkpoints on a public chain and marks the certificates they
 * cover ANCHORED once ANCHOR_CONFIRMATIONS deep. With ANCHOR_ADAPTER=noop it does nothing.
 */
export function anchorWorkerKinds(context: () => AnchorWorkerKindDeps): WorkerKind[] {
  const openPool = (deps: AnchorWorkerKindDeps) => createPool(deps.databaseUrl, { max: 3, log: deps.log, applicationName: 'veridity-anchor' });
  const passDeps = (deps: AnchorWorkerKindDeps, pool: Pool, adapter: ChainAnchorAdapter): AnchorPassDeps => ({
    pool,
    clock: deps.clock,
    log: deps.log.child({ component: 'anchor' }),
    adapter,
    confirmations: deps.confirmations,
    intervalSeconds: deps.intervalSeconds,
    onConfirmed: deps.onConfirmed,
  });
  const idle: RunningWorker = { stop: async () => ({ finished: true }) };

  return [
    {
      name: 'anchor',
      description: 'anchor signed ledger checkpoints on a public chain (ANCHOR_ADAPTER) and mark the certificates they cover ANCHORED',
      async start() {
        const deps = context();
        const adapter = await deps.adapter();
        if (adapter.name === 'noop') {
          deps.log.info({ component: 'anchor' }, 'ANCHOR_ADAPTER=noop: nothing is anchored, certificates stay CERTIFIED_NO_ANCHOR');
          return idle;
        }
        const pool = openPool(deps);
        const pass = passDeps(deps, pool, adapter);
        const sleep = createInterruptibleSleep();
        const backoff = createFailureBackoff(pass.log, 'anchor pass');
        let stopping = false;
        const loop = (async () => {
          while (!stopping) {
            try {
              await runAnchorPass(pass);
              backoff.succeeded();
              await sleep.sleep(deps.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
            } catch (error) {
              await sleep.sleep(backoff.failed(error));
            }
          }
        })();
        return closingPoolOnStop(
          {
            async stop({ timeoutMs }) {
              stopping = true;
              sleep.wakeAll();
              const finished = await Promise.race([loop.then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, false).unref())]);
              return { finished };
            },
          },
          pool,
        );
      },
      async runOnce() {
        const deps = context();
        const adapter = await deps.adapter();
        if (adapter.name === 'noop') return { submitted: 0, resent: 0, confirmed: 0, anchoredCertificates: 0 };
        const pool = openPool(deps);
        try {
          const { locked: _locked, ...counts } = await runAnchorPass(passDeps(deps, pool, adapter));
          return counts;
        } finally {
          await pool.end();
        }
      },
    },
  ];
}
