/**
 * A kind of background consumer that `veridity worker [kinds...]` (and `serve`, unless
 * VERIDITY_EMBEDDED_WORKERS=false) runs. Modules build their kinds from their dependencies;
 * the CLI only starts, stops and names them.
 */
export type WorkerKind = {
  /** What operators type: `veridity worker <name>`. */
  name: string;
  description: string;
  /** Starts consuming; resolves once running. */
  start(): Promise<RunningWorker>;
  /** `WORKER_ONCE=true`: works through what is due now, then resolves with counts for the report. */
  runOnce(): Promise<Record<string, number>>;
};

export type RunningWorker = {
  /**
   * Stops taking work and waits up to `timeoutMs` for work in flight. `finished: false` means
   * some was still running: it is released when the process exits (its transaction rolls
   * back, or pg-boss retries the job once it expires).
   */
  stop(options: { timeoutMs: number }): Promise<{ finished: boolean }>;
};

/** A running worker whose pool is closed once it has stopped with nothing in flight (what is still in flight holds connections until the process exits). */
export function closingPoolOnStop(worker: RunningWorker, pool: { end(): Promise<void> }): RunningWorker {
  return {
    async stop(options) {
      const result = await worker.stop(options);
      if (result.finished) await pool.end();
      return result;
    },
  };
}
