import { databaseErrorFields, isDatabaseUnavailable } from '#platform/db/database-unavailable.ts';
import type { Logger } from '#platform/logger.ts';

const FIRST_PAUSE_MS = 1_000;
const MAX_PAUSE_MS = 15_000;

export type FailureBackoff = {
  /** Logs the failure; returns how long to pause before the next try. */
  failed(error: unknown): number;
  /** A try went through: the next failure starts again from the first pause. */
  succeeded(): void;
};

/**
 * The pauses of a worker loop after failed tries: 1 s doubling to 15 s, reset by a try that works,
 * so a loop neither spins against a database that is down nor sleeps long after it is back.
 * A database outage is logged as one short line when it starts and one when it ends; any other
 * failure in full, each time.
 */
export function createFailureBackoff(log: Logger, what: string): FailureBackoff {
  let failures = 0;
  let unavailableSince: number | undefined;
  return {
    failed(error) {
      failures += 1;
      if (!isDatabaseUnavailable(error)) {
        log.error({ err: error }, `${what} failed; retrying`);
      } else if (unavailableSince === undefined) {
        unavailableSince = Date.now();
        log.warn(databaseErrorFields(error), `${what}: database unavailable; backing off`);
      }
      return Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS * 2 ** (failures - 1));
    },
    succeeded() {
      if (unavailableSince !== undefined) log.info({ unavailable_ms: Date.now() - unavailableSince }, `${what}: database reachable again`);
      failures = 0;
      unavailableSince = undefined;
    },
  };
}
