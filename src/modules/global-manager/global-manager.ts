import type { Clock } from '#platform/clock.ts';
import { newId } from '#platform/ids.ts';
import type { Logger } from '#platform/logger.ts';
import { createInterruptibleSleep } from '#platform/queue/interruptible-sleep.ts';
import { traced } from '#platform/telemetry/tracing.ts';
import { RUNNER_NAME, tryLeaderLock, type LeaderLock } from './leader-lock.ts';
import type { GlobalManagerMetrics } from './metrics.ts';
import { markInterruptedRuns, recordCycleStep, type RunOutcome, type TaskEnd, type TaskSkipped } from './record-runs.ts';
import type { GlobalManagerDeps, GlobalManagerTask } from './task.ts';

export type GlobalManagerSettings = {
  /** Between the starts of two cycles. */
  intervalSeconds: number;
  /** How often a standby tries the lock: the bound on a takeover after the leader's connection is gone. */
  standbyPollSeconds: number;
};

export type GlobalManager = {
  isLeader(): boolean;
  /** Finishes the task in progress (the rest of the cycle is skipped), releases the lock. */
  stop(): Promise<void>;
};

/**
 * The global manager loop: a standby tries the advisory lock every `standbyPollSeconds`; the
 * leader runs the tasks in order, one cycle every `intervalSeconds`, and records each run. A lost
 * lock connection ends the leadership after the task in progress (its signal is aborted), and the
 * process goes back to standby.
 */
export function startGlobalManager(options: {
  deps: GlobalManagerDeps;
  databaseUrl: string;
  clock: Clock;
  log: Logger;
  tasks: readonly GlobalManagerTask[];
  settings: GlobalManagerSettings;
  metrics: GlobalManagerMetrics;
}): GlobalManager {
  const { deps, clock, log, tasks, settings, metrics } = options;
  const pause = createInterruptibleSleep();
  let stopping = false;
  let lock: LeaderLock | undefined;

  async function runCycle(held: LeaderLock): Promise<void> {
    const cycleId = newId('gmc');
    const now = clock.now();
    const started = performance.now();
    let allSucceeded = true;
    // Written with the next step (recordCycleStep): the task that finished, the tasks skipped.
    let ended: TaskEnd | undefined;
    const skipped: TaskSkipped[] = [];
    for (const [position, task] of tasks.entries()) {
      const halted = stopping ? 'the process was stopping' : held.lost.aborted ? 'the leader lost its lock' : undefined;
      if (halted) {
        allSucceeded = false;
        skipped.push({ cycleId, task: task.name, position, runner: RUNNER_NAME, at: clock.now(), reason: halted });
        continue;
      }
      await recordCycleStep(deps.pool, { ended, started: { cycleId, task: task.name, position, runner: RUNNER_NAME, startedAt: clock.now() } });
      const taskStarted = performance.now();
      let outcome: RunOutcome = 'succeeded';
      let counts: Record<string, number> = {};
      let error: unknown;
      try {
        counts = await traced(`global manager ${task.name}`, { kind: 'internal', attributes: { 'veridity.global_manager.task': task.name, 'veridity.global_manager.cycle_id': cycleId } }, () =>
          task.run(deps, { now, signal: held.lost }),
        );
      } catch (thrown) {
        outcome = held.lost.aborted ? 'interrupted' : 'failed';
        error = thrown;
        allSucceeded = false;
        log.error({ err: thrown, task: task.name, cycle_id: cycleId }, 'global manager task failed');
      }
      metrics.taskDuration.observe({ task: task.name }, (performance.now() - taskStarted) / 1000);
      metrics.taskRuns.inc({ task: task.name, outcome });
      ended = { cycleId, task: task.name, finishedAt: clock.now(), outcome, counts, ...(error === undefined ? {} : { error }) };
      log.info({ task: task.name, cycle_id: cycleId, outcome, counts }, 'global manager task done');
    }
    await recordCycleStep(deps.pool, { ended, skipped });
    metrics.cycleDuration.observe((performance.now() - started) / 1000);
    if (allSucceeded) metrics.lastSuccess.set(clock.now().getTime() / 1000);
  }

  async function lead(held: LeaderLock): Promise<void> {
    metrics.isLeader.set(1);
    log.info({ runner: RUNNER_NAME }, 'global manager: leading');
    const interrupted = await markInterruptedRuns(deps.pool, clock.now());
    if (interrupted > 0) log.warn({ runs: interrupted }, 'global manager: runs of a previous leader were interrupted');
    while (!stopping && !held.lost.aborted) {
      const cycleStarted = Date.now();
      try {
        await runCycle(held);
      } catch (error) {
        // Recording failed (the database is away): the next cycle tries again.
        log.error({ err: error }, 'global manager cycle failed');
      }
      const wait = settings.intervalSeconds * 1000 - (Date.now() - cycleStarted);
      if (!stopping && !held.lost.aborted && wait > 0) await pause.sleep(wait);
    }
    metrics.isLeader.set(0);
  }

  const loop = (async () => {
    while (!stopping) {
      try {
        lock = await tryLeaderLock(options.databaseUrl, log);
      } catch (error) {
        log.warn({ err: error }, 'global manager: could not try the lock');
      }
      if (lock) {
        const held = lock;
        const wake = () => pause.wakeAll();
        held.lost.addEventListener('abort', wake);
        try {
          await lead(held);
        } finally {
          held.lost.removeEventListener('abort', wake);
          metrics.isLeader.set(0);
          await held.release();
          lock = undefined;
          if (!stopping) log.warn('global manager: leadership lost, back to standby');
        }
        continue;
      }
      if (!stopping) await pause.sleep(settings.standbyPollSeconds * 1000);
    }
  })();

  return {
    isLeader: () => lock !== undefined && !lock.lost.aborted,
    async stop() {
      stopping = true;
      pause.wakeAll();
      await loop;
    },
  };
}
