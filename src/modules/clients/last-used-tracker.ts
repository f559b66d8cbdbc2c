import type { Pool } from '#platform/db/pool.ts';
import type { Logger } from '#platform/logger.ts';

export type LastUsedTracker = {
  /** Remembers a use; `storedLastUsed` is what the database said at authentication time. */
  touch(clientId: string, at: Date, storedLastUsed: Date | null): void;
  flush(): Promise<void>;
  stop(): Promise<void>;
};

/** Coarse enough for "when was this key last used?", fine enough to spot a dormant key. */
const RESOLUTION_MS = 60_000;

/**
 * Keeps `last_used` fresh without a write per request: uses are gathered in memory and
 * written in one statement per flush, and only when the stored value is a minute old.
 */
export function createLastUsedTracker(deps: { pool: Pool; log: Logger; flushIntervalMs?: number }): LastUsedTracker {
  const pending = new Map<string, Date>();
  const timer = setInterval(() => void flush(), deps.flushIntervalMs ?? 15_000);
  timer.unref();

  async function flush(): Promise<void> {
    if (pending.size === 0) return;
    const ids = [...pending.keys()];
    const times = ids.map((id) => pending.get(id)!.toISOString());
    pending.clear();
    try {
      await deps.pool.query(
        `UPDATE api_clients c SET last_used = u.at
           FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at)
          WHERE c.id = u.id AND (c.last_used IS NULL OR c.last_used < u.at)`,
        [ids, times],
      );
    } catch (error) {
      deps.log.warn({ err: error }, 'could not record last_used');
    }
  }

  return {
    touch(clientId, at, storedLastUsed) {
      if (storedLastUsed && at.getTime() - storedLastUsed.getTime() < RESOLUTION_MS) return;
      const known = pending.get(clientId);
      if (!known || known < at) pending.set(clientId, at);
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
