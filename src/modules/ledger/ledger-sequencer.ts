import type { Clock } from '#platform/clock.ts';
import type { PlatformKeys } from '#platform/crypto/platform-keys.ts';
import type { Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';
import { createFailureBackoff } from '#platform/queue/failure-backoff.ts';
import { LEDGER_QUEUE, type LedgerMetrics } from './metrics.ts';
import { LedgerIntegrityError, sequencePendingEntries } from './sequence-pending-entries.ts';
import { signDueCheckpoint } from './sign-due-checkpoint.ts';

export type LedgerSequencerDeps = {
  pool: Pool;
  clock: Clock;
  log: Logger;
  platformKeys: PlatformKeys;
  /** LEDGER_CHECKPOINT_SECONDS: the least time between two checkpoints. */
  checkpointSeconds: number;
  metrics?: LedgerMetrics;
  /** How often an idle sequencer looks for pending entries. Default 200 ms. */
  pollIntervalMs?: number;
  /** Entries per transaction. Default 1000. */
  batchSize?: number;
  /** false: no background loop, passes run only through runOnce() (tests, WORKER_ONCE). Default true. */
  background?: boolean;
};

export type SequencerPass = {
  /** false: another process holds the sequencer lock and did the work. */
  locked: boolean;
  sequenced: number;
  /** The checkpoint signed by this pass, if one was due. */
  checkpoint: { treeSize: number; rootHash: Buffer } | undefined;
};

export type LedgerSequencer = {
  /** One pass now: sequence what is pending (bounded), then sign a checkpoint when due. */
  runOnce(): Promise<SequencerPass>;
  /** Stops the loop after the pass in flight. */
  stop(): Promise<void>;
};

const DEFAULT_POLL_INTERVAL_MS = 200;
const DEFAULT_BATCH_SIZE = 1000;
/** A pass yields after this many batches so a huge backlog cannot starve the checkpoint. */
const MAX_BATCHES_PER_PASS = 20;
/** An integrity failure does not fix itself: the sequencer waits this long between checks. */
const INTEGRITY_FAILURE_PAUSE_MS = 30_000;

/**
 * The ledger's sequencer: any number may run (API replicas, workers); the advisory lock makes one
 * of them do the work at a time and the others skip. Passes in one process never overlap.
 */
export function startLedgerSequencer(deps: LedgerSequencerDeps): LedgerSequencer {
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;
  const pollIntervalMs = deps.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  let previous: Promise<unknown> = Promise.resolve();

  async function pass(): Promise<SequencerPass & { backlog: boolean }> {
    let sequenced = 0;
    let backlog = false;
    for (let batches = 0; batches < MAX_BATCHES_PER_PASS; batches++) {
      const batch = await sequencePendingEntries(deps, { limit: batchSize });
      if (!batch.locked) return { locked: false, sequenced, checkpoint: undefined, backlog: false };
      sequenced += batch.sequenced;
      deps.metrics?.sequenced.inc(batch.sequenced);
      deps.metrics?.treeSize.set(batch.treeSize);
      backlog = batch.sequenced === batchSize;
      if (!backlog) break;
    }
    const signed = await signDueCheckpoint(deps);
    if (signed) {
      deps.metrics?.checkpoints.inc();
      deps.metrics?.checkpointSize.set(signed.treeSize);
    }
    return { locked: true, sequenced, checkpoint: signed && { treeSize: signed.treeSize, rootHash: signed.rootHash }, backlog };
  }

  /** Passes of this process run one after the other, whoever asks. */
  function serialised(): Promise<SequencerPass & { backlog: boolean }> {
    const next = previous.then(pass, pass);
    previous = next.catch(() => undefined);
    return next;
  }

  let stopping = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });

  async function loop(): Promise<void> {
    const backoff = createFailureBackoff(deps.log, 'ledger sequencer pass');
    while (!stopping) {
      try {
        const result = await serialised();
        backoff.succeeded();
        if (!result.backlog) await pause(pollIntervalMs);
      } catch (error) {
        deps.metrics?.failures.inc({ queue: LEDGER_QUEUE });
        if (error instanceof LedgerIntegrityError) {
          // Appending to, or signing, a tree that does not add up would make it worse: alert and wait.
          deps.log.error({ err: error, alert: 'ledger_integrity' }, 'ledger integrity check failed: the sequencer is not extending the log; run veridity verify-ledger');
          await pause(INTEGRITY_FAILURE_PAUSE_MS);
        } else {
          await pause(backoff.failed(error));
        }
      }
    }
  }
  const running = deps.background === false ? Promise.resolve() : loop();

  return {
    async runOnce() {
      const { backlog: _backlog, ...result } = await serialised();
      return result;
    },
    async stop() {
      stopping = true;
      wake?.();
      await running;
      await previous;
    },
  };
}
