import type { Logger } from '#platform/logger.ts';
import { shutdownTracing } from '#platform/telemetry/tracing.ts';

/**
 * SIGTERM/SIGINT run `shutdown` once, export the spans still buffered (telemetry on), then exit 0
 * (1 if `shutdown` throws); a second signal exits at once. `what` names the process in the log
 * lines ("shutting down <what>").
 */
export function onShutdownSignal(log: Logger, what: string, shutdown: () => Promise<void>): { stopping(): boolean } {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, `shutting down ${what}`);
    let code = 0;
    try {
      await shutdown();
      log.info(`${what} stopped`);
    } catch (error) {
      log.error({ err: error }, `unclean shutdown of ${what}`);
      code = 1;
    }
    await shutdownTracing();
    process.exit(code);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  return { stopping: () => stopping };
}
