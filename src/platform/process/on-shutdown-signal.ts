import type { Logger } from '#platform/logger.ts';

/**
 * SIGTERM/SIGINT run `shutdown` once, then exit 0 (1 if it throws); a second signal exits at
 * once. `what` names the process in the log lines ("shutting down <what>").
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
    try {
      await shutdown();
      log.info(`${what} stopped`);
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, `unclean shutdown of ${what}`);
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  return { stopping: () => stopping };
}
